/**
 * Reading every page of a list API without trusting it to end. A pager that loops until
 * the API says "no more" spins for ever against an API (or a fake of one) that ignores
 * paging and answers the same page again: this one stops on a page without a next
 * token, refuses a token it has already followed, and gives up past a page cap, each
 * time with one line naming the list.
 */

/** More pages than any list of ours has: past it, the API is misbehaving. */
export const MAX_PAGES = 1000;

/** A list API that does not page as it says it does (a repeated token, no end). */
export class PagingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PagingError';
  }
}

/**
 * Calls `fetch` with the token of the previous page (none for the first) and hands each
 * page to `onPage`, until a page has no next token (`undefined`, `null` or empty).
 */
export async function forEachPage<P>(
  what: string,
  fetch: (token: string | undefined) => Promise<P>,
  nextToken: (page: P) => string | null | undefined,
  onPage: (page: P) => void,
  maxPages: number = MAX_PAGES,
): Promise<void> {
  const seen = new Set<string>();
  let token: string | undefined;
  for (let n = 1; n <= maxPages; n++) {
    const page = await fetch(token);
    onPage(page);
    const next = nextToken(page);
    if (next === undefined || next === null || next === '') return;
    if (seen.has(next)) throw new PagingError(`${what}: the API returned the next-page token ${JSON.stringify(next)} twice (after ${n} pages); stopped instead of looping`);
    seen.add(next);
    token = next;
  }
  throw new PagingError(`${what}: more than ${maxPages} pages; stopped (the API keeps answering with a next page)`);
}

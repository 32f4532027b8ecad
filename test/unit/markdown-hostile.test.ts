import { rmSync } from 'node:fs';
import { loadEnvironment } from '../../envs/load';
import { ConfigError } from '../../lib/errors';
import { code, fence, openFence, plain, text } from '../../lib/markdown';
import { renderBypassMarkdown } from '../../tools/bypass/report';
import { renderDriftIssue } from '../../tools/drift/notify';
import { type PlanReport, renderMarkdown } from '../../tools/plan/plan-report';
import { toSarif } from '../../tools/policy/sarif';
import { renderPrComment } from '../../tools/pr/pr-comment';
import { renderReviewMarkdown, type Review } from '../../tools/review/review';
import { baseEnvironment, envDir, withField } from '../support/env-files';
import { examplePlan } from '../support/report-examples';

// commonmark ships without types; the little used here is typed by hand.
interface MdNode {
  type: string;
  literal: string | null;
  destination?: string;
}
interface Walker {
  next(): { entering: boolean; node: MdNode } | null;
}
const commonmark = require('commonmark') as { Parser: new () => { parse(s: string): { walker(): Walker } } };

/**
 * Issue 25, class 5: one renderer for untrusted text in Markdown (lib/markdown), used
 * wherever a report quotes a value. Hostile values (backticks, code fences, HTML,
 * mentions, references, links, bidi overrides) must render as themselves: checked by
 * parsing the output with a CommonMark parser, in process.
 */

/** What a Markdown document renders to, by node kind. */
function rendered(markdown: string) {
  const walker = new commonmark.Parser().parse(markdown).walker();
  const out = { html: [] as string[], code: [] as string[], blocks: [] as string[], text: '' as string, links: [] as string[], emphasis: 0 };
  for (let e = walker.next(); e; e = walker.next()) {
    if (!e.entering && e.node.type !== 'code' && e.node.type !== 'text' && e.node.type !== 'code_block' && !e.node.type.startsWith('html')) continue;
    const { type, literal } = e.node;
    if (type === 'html_inline' || type === 'html_block') out.html.push(literal!.trim());
    else if (type === 'code') out.code.push(literal!.replace(/\\\|/g, '|'));
    else if (type === 'code_block') out.blocks.push(literal!.replace(/\n$/, ''));
    else if (type === 'text') out.text += `${literal}\n`;
    else if (type === 'link' || type === 'image') out.links.push(e.node.destination ?? '');
    else if (e.entering && (type === 'emph' || type === 'strong')) out.emphasis++;
  }
  return out;
}

/** The HTML our own templates write; anything else in a report came from a value. */
const OWN_HTML = /^(<details><summary>([^<>]|<\/?code>)*<\/summary>|<\/details>|<br>|<sub>|<\/sub>|<code>|<\/code>|<!-- edge-mtls-cdktf:[a-z]+:[a-z0-9]+ -->)$/;
/** A mention or reference GitHub would link, in rendered text (outside code). */
const LINKED = /@[A-Za-z0-9-]|#\d|\bGH-\d|https?:\/\/|\bwww\./i;

const HOSTILE = [
  'a`b',
  '``` @org/team',
  '`leading and trailing`',
  '</details><img src=x onerror=alert(1)> @org/team #12',
  '[click](https://evil.example) ![i](https://evil.example/i.png)',
  '*bold* _it_ ~~gone~~ $x^2$',
  'line one\n```\n</details>\n@org/security please approve',
  'right-to-left \u202e override',
  'a | b | c',
];

describe('lib/markdown: each renderer shows a hostile value as itself', () => {
  it.each(HOSTILE)('code(%j) is one code span holding exactly the value', (value) => {
    const r = rendered(`before ${code(value, { table: false })} after`);
    expect(r.code).toEqual([plain(value)]);
    expect(r.html).toEqual([]);
    expect(r.text).not.toMatch(LINKED);
  });

  it.each(HOSTILE)('text(%j) renders no HTML, link, emphasis or mention', (value) => {
    const r = rendered(`before ${text(value)} after`);
    expect({ html: r.html, code: r.code, links: r.links, emphasis: r.emphasis }).toEqual({ html: [], code: [], links: [], emphasis: 0 });
    expect(r.text).not.toMatch(LINKED);
    expect(r.text.replace(/\u200b/g, '').replace(/\n/g, '')).toBe(`before ${plain(value)} after`.replace(/\u202e/g, ''));
  });

  it.each(['```\n</details>\n@org/team', '````inner````\n```', 'no fence at all', '~~~\ntilde'])('fence(%j) is one code block holding exactly the value', (value) => {
    const r = rendered(['<details><summary>x</summary>', '', ...fence(value), '', '</details>'].join('\n'));
    expect(r.blocks).toEqual([value]);
    expect(r.html).toEqual(['<details><summary>x</summary>', '</details>']);
  });

  it('code in a table cell escapes every pipe, so the row keeps its cells', () => {
    const cell = code('a | b || c');
    expect(cell.replace(/\\\|/g, '')).not.toContain('|');
  });

  it('an empty value is shown as (empty), not as an empty span that would swallow the next one', () => {
    expect(code('')).toBe('*(empty)*');
  });

  it('a value longer than the limit is cut with ..., and controls and bidi overrides are dropped', () => {
    expect(plain('x'.repeat(50), 10)).toBe('xxxxxxx...');
    expect(plain('a\u0000b\u001bc\u2066d\u0085e')).toBe('abcde');
  });

  it('openFence follows CommonMark: a shorter run inside does not close, an equal run closes', () => {
    expect(openFence(['````text', '```', 'x'])).toBe('````');
    expect(openFence(['````text', '```', '````'])).toBeUndefined();
    expect(openFence(['no fence'])).toBeUndefined();
  });
});

/** Every rendered report of a hostile plan keeps its own structure and shows no value as markup. */
function expectSafe(markdown: string) {
  const r = rendered(markdown);
  expect(r.html.filter((h) => !OWN_HTML.test(h))).toEqual([]);
  expect(r.html.filter((h) => h === '</details>').length).toBe(r.html.filter((h) => h.startsWith('<details>')).length);
  expect(r.text).not.toMatch(LINKED);
  expect(r.html.join('\n')).not.toMatch(LINKED);
  expect(r.links).toEqual([]);
  return r;
}

function hostilePlan(): PlanReport {
  const plan = structuredClone(examplePlan()) as any;
  const origin = plan.stacks.find((s: any) => s.stack === 'dev-origin');
  const change = origin.changes[0];
  change.address = 'aws_s3_object.x`y @org/team';
  change.constructPath = 'dev-origin/</details><img src=x>/@org/team';
  change.attributes[0] = { ...change.attributes[0], path: 'tags.`</details>`', before: '``` @org/team', after: '</details> #12 [x](https://evil.example)' };
  plan.stacks.find((s: any) => s.stack === 'dev-edge').error = 'Error: boom\n```\n</details>\n@org/security approve #12 https://evil.example';
  plan.stacks.find((s: any) => s.stack === 'dev-edge').status = 'error';
  origin.knownGaps = [{ address: 'aws_s3_object.x', attribute: 'tags`x', reason: '</details> @org/team `x` [l](https://evil.example)' }];
  return plan;
}

describe('every report quotes hostile values through the renderer', () => {
  it('plan report: addresses, paths, values, the error and a known gap reason render as themselves', () => {
    const r = expectSafe(renderMarkdown(hostilePlan()));
    expect(r.code).toContain('aws_s3_object.x`y @org/team');
    expect(r.blocks).toEqual(['Error: boom\n```\n</details>\n@org/security approve #12 https://evil.example']);
  });

  it('PR comment: the same, and every <details> block stays closed', () => {
    expectSafe(renderPrComment({ plan: hostilePlan() }));
  });

  it('PR comment cut inside an error block whose text holds a ``` line: closed with the same longer fence', () => {
    const plan = hostilePlan() as any;
    plan.stacks.find((s: any) => s.stack === 'dev-edge').error = `start\n\`\`\`\n${'line @org/team\n'.repeat(300)}`;
    const body = renderPrComment({ plan, maxChars: 3000 });
    expect(body.length).toBeLessThan(3000);
    expect(openFence(body.split('\n'))).toBeUndefined();
    expectSafe(body);
  });

  it('drift issue: the error block and the known gap reason render as themselves', () => {
    const plan = { ...hostilePlan(), mode: 'drift' as const };
    const r = expectSafe(renderDriftIssue(plan));
    expect(r.blocks[0]).toContain('</details>');
  });

  it('review: a weakening message, a finding and a security value render as text', () => {
    const review = {
      base: 'origin/main`@org/team',
      stacks: [
        {
          stack: 'dev-edge',
          inventory: [],
          weakenings: [{ stack: 'dev-edge', address: 'cloudflare_ruleset.r`x', kind: 'policy-loosened', message: '</details> @org/team `x` #12' }],
          findings: [{ stack: 'dev-edge', address: 'a.b', ruleId: 'R-1', message: '[x](https://evil.example)', fix: '*do* @org/team' }],
          security: [{ resource: 'a.b', setting: '<b>set</b>', value: '</details>' }],
        },
      ],
    } as unknown as Review;
    expectSafe(renderReviewMarkdown(review));
  });

  it('bypass report: a resource name and reason from the APIs render as text', () => {
    expectSafe(renderBypassMarkdown({ environment: 'dev', inspected: { 'dns records': 1 }, findings: [{ kind: 'dns', resource: 'x|y</details>', why: '@org/team #12', fix: '`fix`' } as any] }));
  });

  it('SARIF: the plain message has no line breaks or controls; the Markdown one goes through the renderer', () => {
    const sarif = toSarif({ findings: [{ stack: 'dev-edge', address: 'a.b`c', ruleId: 'R-1', message: 'bad\n</details>\u202e @org/team', fix: '[x](https://evil.example)' }] } as any, []) as any;
    const message = sarif.runs[0].results[0].message;
    expect(message.text).not.toMatch(/[\n\u202e]/);
    expectSafe(message.markdown);
  });
});

describe('free-text env fields hold plain text only (one line naming file and field)', () => {
  const gap = (reason: string) => withField(baseEnvironment('local'), 'drift.knownEmulatorGaps', [{ resourceType: 'aws_launch_template', attribute: 'tag_specifications', reason }]);
  function refusal(doc: Record<string, unknown>): string[] {
    const dir = envDir({ local: doc });
    try {
      loadEnvironment('local', dir);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems.map((p) => `${p.file.replace(/^.*\//, '')}: ${p.field}: ${p.message}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    throw new Error('expected a ConfigError');
  }

  it.each([
    ['a backtick', 'moto drops the `mutual_tls` block on create'],
    ['a closing details tag', 'moto drops it </details> on every create call'],
    ['a team mention', 'moto drops it; ask @org/security about the gap'],
    ['an issue reference', 'moto drops it on create, see issue #12 upstream'],
    ['a line break', 'moto drops it on create\nand on every update call'],
    ['a Markdown link', 'moto drops it, see [the bug](https://evil.example)'],
  ])('drift.knownEmulatorGaps[].reason with %s', (_what, reason) => {
    expect(refusal(gap(reason))).toEqual([expect.stringMatching(/^local\.yaml: drift\.knownEmulatorGaps\[0\]\.reason: expected a reason .* of plain text only: letters, digits/)]);
  });

  it('a reason longer than 300 characters', () => {
    expect(refusal(gap('moto drops it '.repeat(30)))).toEqual([expect.stringMatching(/^local\.yaml: drift\.knownEmulatorGaps\[0\]\.reason: expected a reason .* of at most 300 characters/)]);
  });

  it('edge.firewall.keepRules[].description with HTML', () => {
    const doc = withField(baseEnvironment('local'), 'edge.firewall', { keepRules: [{ ref: 'mon', description: '<script>x</script>', expression: '(ip.src eq 192.0.2.10)', action: 'skip' }] });
    expect(refusal(doc)).toEqual([expect.stringMatching(/^local\.yaml: edge\.firewall\.keepRules\[0\]\.description: expected a description of plain text only/)]);
  });

  it('allowPemFilesOutsideProject with a mention', () => {
    const doc = withField(baseEnvironment('local'), 'allowPemFilesOutsideProject', 'shared with @org/platform on the build host');
    expect(refusal(doc)).toEqual([expect.stringMatching(/^local\.yaml: allowPemFilesOutsideProject: expected the reason PEM files must live outside the project folder of plain text only/)]);
  });

  it("the committed local.yaml's reasons are plain text and load", () => {
    expect(loadEnvironment('local').config.drift?.knownEmulatorGaps?.length).toBeGreaterThan(0);
  });
});

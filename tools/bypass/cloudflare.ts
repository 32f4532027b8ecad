import type Cloudflare from 'cloudflare';
import type { RecordResponse } from 'cloudflare/resources/dns/records';
import type { DnsRecordInput } from './findings';

/** Every DNS record of the zone (every page), reduced to what decides a bypass. */
export async function dnsRecords(client: Cloudflare, zoneId: string): Promise<DnsRecordInput[]> {
  const out: DnsRecordInput[] = [];
  for await (const r of client.dns.records.list({ zone_id: zoneId, per_page: 100 })) out.push(toInput(r));
  return out;
}

function toInput(r: RecordResponse): DnsRecordInput {
  return { id: r.id, name: r.name, type: r.type, content: 'content' in r && typeof r.content === 'string' ? r.content : '', proxied: r.proxied === true };
}

import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
const ddb = new DynamoDBClient({ endpoint: process.argv[2], region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'x' } });
const numSize = (n: string) => { const d = n.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, ''); return Math.ceil(Math.max(d.length, 1) / 2) + 1; };
const valSize = (v: AttributeValue): number => {
  if (v.S !== undefined) return Buffer.byteLength(v.S); if (v.N !== undefined) return numSize(v.N); if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS) return v.SS.reduce((s, x) => s + Buffer.byteLength(x), 0); if (v.NS) return v.NS.reduce((s, x) => s + numSize(x), 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((s, [k, x]) => s + Buffer.byteLength(k) + valSize(x) + 1, 0);
  if (v.L) return 3 + v.L.reduce((s, x) => s + valSize(x) + 1, 0); return 0; };
const itemSize = (it: Record<string, AttributeValue>) => Object.entries(it).reduce((s, [k, v]) => s + Buffer.byteLength(k) + valSize(v), 0);
for (const t of ['Ledger', 'State', 'Counters']) {
  const sizes: number[] = []; let key: Record<string, AttributeValue> | undefined;
  do { const r = await ddb.send(new ScanCommand({ TableName: t, ExclusiveStartKey: key })); for (const it of r.Items ?? []) sizes.push(itemSize(it)); key = r.LastEvaluatedKey; } while (key);
  sizes.sort((a, b) => a - b);
  const kb = sizes.reduce((s, x) => s + Math.max(1, Math.ceil(x / 1024)), 0);
  const q = (p: number) => sizes[Math.floor(p * (sizes.length - 1))];
  console.log(t, 'items', sizes.length, 'mean', Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length), 'p50', q(0.5), 'p90', q(0.9), 'p99', q(0.99), 'max', q(1), 'units(final sizes)', kb, 'per item', (kb / sizes.length).toFixed(2));
}

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Metric } from '../domain/metrics.ts';
import { counterKeys } from '../domain/metrics.ts';
import type { BaselineReader, RecordedBaseline } from '../indicators/recorded-baselines.ts';

/** Baselines from the Counters table: partition `BASELINE#<metric>`, one item per (division, asOf). */
export class DynamoBaselineReader implements BaselineReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async baselinesOf(metric: Metric): Promise<readonly RecordedBaseline[]> {
    const out: RecordedBaseline[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': counterKeys.baseline(metric) },
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const event = typeof item['source'] === 'string' && typeof item['id'] === 'string' ? { event: { source: item['source'], id: item['id'] } } : {};
        out.push({ metric, division: String(item['division']), asOf: String(item['asOf']), value: Number(item['value']), ...event });
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
    return out;
  }
}

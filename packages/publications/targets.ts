/**
 * Targets: what a division means to reach on an indicator in a year, and how
 * far a figure has come. A target is set for a year (`2027`), and only a
 * figure of exactly that year carries it: a quarter's or a month's figure
 * is part of the way, not the year's result, so it carries none.
 *
 * progress = value ÷ target × 100, in percent, rounded half-up (away from
 * zero) to 2 decimals, computed exactly in integers (values and targets have
 * at most 2 decimals: counts, yuan, percent). Null when the value is null.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { yuanText } from '../indicators/evaluator.ts';
import { PublicationError } from './errors.ts';

/** One target. `period` is a year, e.g. `2027`. */
export interface Target {
  readonly indicator: string;
  readonly division: string;
  readonly period: string;
  readonly value: number;
}

export type TargetKey = Omit<Target, 'value'>;

/** Largest target accepted: with 2 decimals it stays exact as a double (and as decimal text). */
export const maxTargetValue = 1_000_000_000_000;

export interface TargetStore {
  /** Sets (or replaces) a target. */
  set(target: Target): Promise<void>;
  /** Removes a target; false when there was none. */
  remove(key: TargetKey): Promise<boolean>;
  /** Every target set for a division, ordered by year, then indicator. */
  ofDivision(division: string): Promise<Target[]>;
}

/** A value or target with more than 2 decimals, or not a decimal at all. */
export class InvalidTargetError extends PublicationError {
  override readonly name = 'InvalidTargetError';
}

/** `"-12.5"` → -1250n: hundredths, exactly. */
function hundredths(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (match === null) throw new InvalidTargetError('a figure or target must be a decimal with at most 2 decimals');
  const [, sign = '', whole = '0', fraction = ''] = match;
  const magnitude = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
  return sign === '-' ? -magnitude : magnitude;
}

/**
 * value ÷ target in percent, half-up to 2 decimals, as exact decimal text:
 * progressText("87", 90) → "96.67". Null when the value is null.
 *
 * @throws InvalidTargetError for a target that is not positive.
 */
export function progressText(value: string | null, target: number): string | null {
  if (value === null) return null;
  const bottom = hundredths(String(target));
  if (bottom <= 0n) throw new InvalidTargetError('a target must be positive');
  const top = hundredths(value);
  const magnitude = ((top < 0n ? -top : top) * 20000n + bottom) / (2n * bottom);
  // Hundredths as decimal text without trailing zeros: the same digits as fen to yuan.
  return yuanText(top < 0n ? -magnitude : magnitude);
}

const partitionOf = (division: string): string => `DIVISION#${division}`;
const sortKeyOf = (key: TargetKey): string => `${key.period}#${key.indicator}`;

export class DynamoTargetStore implements TargetStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async set(target: Target): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: partitionOf(target.division), sk: sortKeyOf(target), ...target } }));
  }

  async remove(key: TargetKey): Promise<boolean> {
    const { Attributes } = await this.doc.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: partitionOf(key.division), sk: sortKeyOf(key) }, ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }

  async ofDivision(division: string): Promise<Target[]> {
    const out: Target[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': partitionOf(division) }, ExclusiveStartKey }),
      );
      for (const item of page.Items ?? []) {
        out.push({ indicator: String(item['indicator']), division: String(item['division']), period: String(item['period']), value: Number(item['value']) });
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
    return out;
  }
}

/** The organisation registry in the State table, for `orgCode` queries. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';

/** Where an organisation is registered and what it is; no names. */
export interface OrganisationRecord {
  readonly orgCode: string;
  /** The township it is registered in. */
  readonly division: string;
  readonly kind: string;
  readonly status: string;
}

export interface OrganisationReader {
  organisation(orgCode: string): Promise<OrganisationRecord | undefined>;
}

export class DynamoOrganisationReader implements OrganisationReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async organisation(orgCode: string): Promise<OrganisationRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `ORG#${orgCode}` },
        // Placeholders throughout: several names are DynamoDB reserved words.
        ProjectionExpression: '#division, #registration.#kind, #deregisteredOn',
        ExpressionAttributeNames: { '#division': 'division', '#registration': 'registration', '#kind': 'kind', '#deregisteredOn': 'deregisteredOn' },
      }),
    );
    if (Item === undefined) return undefined;
    const registration = Item['registration'] as { kind?: unknown } | undefined;
    return {
      orgCode,
      division: String(Item['division']),
      kind: String(registration?.kind),
      status: Item['deregisteredOn'] === undefined ? 'registered' : 'deregistered',
    };
  }
}

import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CfnStage, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { publicRoutes } from '../../packages/api/routes.ts';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AccountPrincipal, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { rejectionReasons } from '../../packages/contract/index.ts';
import { deploymentConfigVariable } from '../../packages/config/deployment.ts';
import { HouseFunction, minimumLogRetention } from '../constructs/house-function.ts';
import { env, eventsQueue, processorEventSource, processorTimeoutSeconds, unknownOrgMaxAttempts } from '../../packages/config/resources.ts';
import type { StatefulResources } from '../stateful/stateful-stack.ts';

/** Handler modules of the three functions; each exports `handler`. */
export interface FunctionEntries {
  readonly processor: string;
  readonly api: string;
  readonly maintenance: string;
}

/** The real handlers. Tests may substitute fixtures through {@link StatelessStackProps.entries}. */
export const defaultFunctionEntries: FunctionEntries = {
  processor: fileURLToPath(new URL('../../functions/processor/handler.ts', import.meta.url)),
  api: fileURLToPath(new URL('../../functions/api/handler.ts', import.meta.url)),
  maintenance: fileURLToPath(new URL('../../functions/maintenance/handler.ts', import.meta.url)),
};

/**
 * Variable through which the API learns the maintenance function's name; the
 * API reads it as `maintenanceEnv.functionName` (functions/api/dependencies.ts),
 * and test/infra checks the two agree.
 */
export const maintenanceFunctionNameEnvVar = env.maintenanceFunctionName;

/** Maintenance replays the whole Ledger in one invocation: Lambda's longest timeout. */
export const maintenanceTimeout = Duration.minutes(15);

/**
 * The maintenance function's memory unless context `maintenanceMemoryMb`
 * sets it: the replay holds every accepted event and the state and counters
 * they make in memory (`npm run bench` prints how large a Ledger that holds),
 * and more memory is also more CPU.
 */
export const defaultMaintenanceMemoryMb = 1024;

/** The memory Lambda allows a function, in MB. */
export const lambdaMemoryMb = { min: 128, max: 10_240 } as const;

/** Requests per second (steady) and burst, as API Gateway throttles them. */
export interface RequestLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** Route keys with a throttle of their own (HTTP API stage `RouteSettings`). */
export const adminRouteKey = 'ANY /v1/admin/{proxy+}';
export const analyticsRouteKey = 'GET /v1/analytics';

/**
 * Metrics namespace and the `service` dimension Powertools gives the
 * processor's metrics (functions/processor/handler.ts): `accepted`,
 * `duplicate`, `rejected_<reason>`, `retried`.
 */
export const processorMetrics = { namespace: 'ReformIndicators', dimensions: { service: 'processor' } } as const;

/** Properties of {@link StatelessStack}. */
export interface StatelessStackProps extends StackProps {
  /** The stateful stack's resources. */
  readonly stateful: StatefulResources;
  /** The identity provider whose JWTs the HTTP API accepts. */
  readonly jwt: { readonly issuer: string; readonly audience: readonly string[] };
  /** Stage-wide request limits. */
  readonly throttle: RequestLimits;
  /**
   * Limits of their own for the admin routes (`/v1/admin/...`: rebuild,
   * reconcile, publications) and for `GET /v1/analytics`, the two kinds of
   * request that cost the most per call.
   */
  readonly routeThrottles: { readonly admin: RequestLimits; readonly analytics: RequestLimits };
  /** Producer source names (the deployment configuration's `sources` keys); one send role each. */
  readonly sources: readonly string[];
  /**
   * Account allowed to assume each source's send role, by source. A source
   * not listed can be assumed only from this deployment's own account.
   */
  readonly producerAccounts?: Readonly<Record<string, string>>;
  /** Address subscribed to the alarm topic. @default no subscription */
  readonly alarmEmail?: string;
  /**
   * The deployment configuration's JSON, set as `DEPLOYMENT_CONFIG` on every
   * function (they must agree on the allowlist, the reward policy and the
   * claim names). @default none: the built-in Zhong County configuration
   */
  readonly deploymentConfigJson?: string;
  /** The maintenance function's memory, MB. @default {@link defaultMaintenanceMemoryMb} */
  readonly maintenanceMemoryMb?: number;
  /** @default {@link defaultFunctionEntries} */
  readonly entries?: FunctionEntries;
}

/**
 * The stateless stack: the event processor fed by the events queue, the
 * maintenance function (rebuild and reconcile), the admin HTTP API behind a
 * JWT authorizer, the alarms, and one send role per producer. Holds no data;
 * it can be destroyed and redeployed at any time.
 */
export class StatelessStack extends Stack {
  readonly processor: HouseFunction;
  readonly maintenance: HouseFunction;
  readonly api: HouseFunction;
  readonly httpApi: HttpApi;
  readonly alarmTopic: Topic;
  readonly dashboard: Dashboard;
  /** Send role per producer source. */
  readonly producerRoles: ReadonlyMap<string, Role>;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { stateful } = props;
    const entries = props.entries ?? defaultFunctionEntries;

    this.processor = new HouseFunction(this, 'Processor', {
      entry: entries.processor,
      description: 'Applies each event on the events queue exactly once to the ledger, state and counters',
      serviceName: 'processor',
      timeout: Duration.seconds(processorTimeoutSeconds),
      // Lambda CPU scales with memory; 1 GB keeps cold starts (secret fetch, bundle parse) short.
      memorySize: 1024,
      // As many as the event source mapping may run at once, and no more: a
      // backlog cannot take the account's concurrency from the API.
      reservedConcurrency: processorEventSource.maxConcurrency,
      logEncryptionKey: stateful.logsKey,
      environment: { [env.unknownOrgMaxAttempts]: String(unknownOrgMaxAttempts) },
    });
    this.processor.bindTablesForApplyingEvents([stateful.ledger, stateful.state, stateful.counters], stateful.dataKey);
    this.processor.bindSecretValue(stateful.pseudonymSecret, env.pseudonymSecretArn);
    const processorMappingId = this.processor.bindQueueAsEventSource(stateful.eventsQueue, {
      batchSize: processorEventSource.batchSize,
      maxBatchingWindow: Duration.seconds(processorEventSource.maxBatchingWindowSeconds),
      // Every event of a day adds to the same county-level counter items; more
      // concurrent batches mostly buy TransactionConflict retries, not throughput.
      maxConcurrency: processorEventSource.maxConcurrency,
    });
    new CfnOutput(this, 'ProcessorEventSourceMappingId', {
      value: processorMappingId,
      description: 'The processor\'s SQS mapping (aws lambda update-event-source-mapping --uuid <this>); maintenance pauses processing itself, through the fence',
    });

    this.maintenance = new HouseFunction(this, 'Maintenance', {
      entry: entries.maintenance,
      description: 'Rebuilds or reconciles the Counters and State tables from the Ledger, or publishes a period ({"action":"rebuild"|"reconcile"|"publish"})',
      serviceName: 'maintenance',
      timeout: maintenanceTimeout,
      memorySize: props.maintenanceMemoryMb ?? defaultMaintenanceMemoryMb,
      // One rebuild or reconcile at a time: two would rewrite the same tables,
      // and a stolen admin token cannot start more than one 15-minute run.
      reservedConcurrency: 1,
      logEncryptionKey: stateful.logsKey,
    });
    // Reads the pseudonymised events from the Ledger, so no pseudonym secret:
    // maintenance never sees an identity number.
    this.maintenance.bindTablesForRebuilding(stateful.ledger, [stateful.counters, stateful.state], stateful.dataKey);
    // The only writer of publications: conditional puts, never an update or a delete.
    this.maintenance.bindTablesForPublishing(stateful.publications, stateful.counters, stateful.dataKey);
    new CfnOutput(this, 'MaintenanceFunctionName', {
      value: this.maintenance.function.functionName,
      description: 'Invoke with {"action":"reconcile"} or {"action":"rebuild"}: README, "Deploying to AWS"',
    });

    this.api = new HouseFunction(this, 'Api', {
      entry: entries.api,
      description: 'Admin query API: indicators, analytics, event outcomes, event intake',
      serviceName: 'api',
      // API Gateway gives up on an integration after 30 s (a longer rebuild: invoke the maintenance function directly).
      timeout: Duration.seconds(29),
      memorySize: 1024,
      logEncryptionKey: stateful.logsKey,
    });
    // Publications are read only: the API cannot overwrite one (IAM cannot force a write's condition, so it gets no write at all).
    this.api.bindTablesForReading([stateful.counters, stateful.ledger, stateful.state, stateful.publications], stateful.dataKey);
    this.api.bindTableForTargets(stateful.targets, stateful.dataKey);
    this.api.bindQueueForSending(stateful.eventsQueue, eventsQueue.envVar);
    // Events rejected at the edge are recorded like any other outcome: PutItem on the Ledger, nothing more,
    // with what failed validation kept as keyed hashes — so the API reads the pseudonym key too.
    this.api.bindTableForRecordingOutcomes(stateful.ledger, stateful.dataKey);
    this.api.bindSecretValue(stateful.pseudonymSecret, env.pseudonymSecretArn);
    // The admin routes hand rebuild and reconcile to the maintenance function, so the API role stays read-only.
    this.api.bindFunctionForInvoking(this.maintenance.function, maintenanceFunctionNameEnvVar);

    if (props.deploymentConfigJson !== undefined) {
      for (const fn of [this.processor, this.maintenance, this.api]) fn.setEnvironment(deploymentConfigVariable, props.deploymentConfigJson);
    }

    this.httpApi = this.createHttpApi(props);
    this.alarmTopic = this.createAlarms(props);
    this.dashboard = this.createDashboard(props);
    this.producerRoles = this.createProducerRoles(props);
  }

  private createHttpApi(props: StatelessStackProps): HttpApi {
    const httpApi = new HttpApi(this, 'HttpApi', {
      description: 'reform-indicators admin query API v1',
      // The default stage is created below, with access logs and throttling.
      createDefaultStage: false,
    });
    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwt.issuer, {
      jwtAudience: [...props.jwt.audience],
    });
    const integration = new HttpLambdaIntegration('ApiIntegration', this.api.function);
    // The same handler behind all routes; the admin and analytics routes exist
    // separately so that the stage can throttle them on their own.
    const routes = [
      ...httpApi.addRoutes({ path: '/v1/{proxy+}', methods: [HttpMethod.ANY], integration, authorizer }),
      ...httpApi.addRoutes({ path: '/v1/admin/{proxy+}', methods: [HttpMethod.ANY], integration, authorizer }),
      ...httpApi.addRoutes({ path: '/v1/analytics', methods: [HttpMethod.GET], integration, authorizer }),
    ];
    // Health and the OpenAPI document need no token (contract/API.md): exact routes win over the proxy route.
    for (const route of publicRoutes) {
      for (const added of httpApi.addRoutes({ path: route.path, methods: [route.method as HttpMethod], integration })) {
        Validations.of(added).acknowledge({
          id: 'AwsSolutions::AwsSolutions-APIG4',
          reason: 'Public by contract (API.md): liveness and the OpenAPI document carry no data; every other route goes through the JWT authorizer.',
        });
      }
    }
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: minimumLogRetention,
      encryptionKey: props.stateful.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rateLimit, burstLimit: props.throttle.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No source IP or JWT subject: both can identify a person.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            responseLength: '$context.responseLength',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    const routeLimits = (limits: RequestLimits) => ({ ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit });
    (stage.node.defaultChild as CfnStage).routeSettings = {
      [adminRouteKey]: routeLimits(props.routeThrottles.admin),
      [analyticsRouteKey]: routeLimits(props.routeThrottles.analytics),
    };
    // Route settings may name only routes that already exist.
    for (const route of routes) stage.node.addDependency(route);
    new CfnOutput(this, 'ApiUrl', { value: httpApi.apiEndpoint, description: 'Base URL of the admin API' });
    return httpApi;
  }

  private createAlarms(props: StatelessStackProps): Topic {
    // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key; it needs a key that lets it in.
    const alarmKey = new Key(this, 'AlarmTopicKey', {
      description: 'reform-indicators: alarm topic',
      enableKeyRotation: true,
    });
    // Only this account's alarms: without the source conditions, CloudWatch
    // acting for any account could use the key (confused deputy).
    alarmKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: { 'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*` },
        },
      }),
    );
    const topic = new Topic(this, 'AlarmTopic', { masterKey: alarmKey, enforceSSL: true });
    if (props.alarmEmail !== undefined) topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(topic);

    const alarms = [
      new Alarm(this, 'DeadLetterQueueNotEmpty', {
        alarmDescription: 'Events could not be processed after maxReceiveCount deliveries; inspect, fix, then redrive (README, "Deploying to AWS")',
        metric: props.stateful.eventsDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'ProcessorErrors', {
        alarmDescription: 'The processor function failed whole invocations (not single events, which are reported as batch item failures)',
        metric: this.processor.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'MaintenanceErrors', {
        alarmDescription: 'A rebuild or reconcile failed; after a failed rebuild the Counters and State tables may be half rewritten: run it again',
        metric: this.maintenance.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'ApiServerErrors', {
        alarmDescription: 'The admin API answered with 5xx',
        metric: this.httpApi.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(action);
    new CfnOutput(this, 'AlarmTopicArn', { value: topic.topicArn, description: 'Subscribe on-call here' });
    return topic;
  }

  /**
   * One dashboard for the whole pipeline: what happens to events (accepted,
   * duplicate, rejected by reason), whether the queue keeps up (age of the
   * oldest message, dead-letter depth), how the processor runs (duration,
   * errors, throttles, retried events) and how the API answers (latency,
   * 4xx, 5xx).
   */
  private createDashboard(props: StatelessStackProps): Dashboard {
    const period = Duration.minutes(5);
    const processorMetric = (metricName: string, label: string): Metric =>
      new Metric({ ...processorMetrics, metricName, label, statistic: 'Sum', period });
    const graph = (title: string, left: IMetric[], right: IMetric[] = []): GraphWidget =>
      new GraphWidget({ title, left, right, width: 12, height: 6 });
    const { eventsQueue: queue, eventsDeadLetterQueue: deadLetterQueue } = props.stateful;
    const processor = this.processor.function;

    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `${this.stackName}-pipeline`, defaultInterval: Duration.hours(24) });
    dashboard.addWidgets(
      graph('Events by outcome', [processorMetric('accepted', 'accepted'), processorMetric('duplicate', 'duplicate'), processorMetric('retried', 'left for redelivery')]),
      graph(
        'Rejected events by reason',
        rejectionReasons.map((reason) => processorMetric(`rejected_${reason}`, reason)),
      ),
    );
    dashboard.addWidgets(
      graph('Events queue: age of the oldest message (s)', [queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period })]),
      graph('Dead-letter queue depth', [deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period })]),
    );
    dashboard.addWidgets(
      graph('Processor duration (ms)', [
        processor.metricDuration({ statistic: 'p50', period, label: 'p50' }),
        processor.metricDuration({ statistic: 'p99', period, label: 'p99' }),
        processor.metricDuration({ statistic: 'Maximum', period, label: 'max' }),
      ]),
      graph('Processor errors and throttles', [
        processor.metricErrors({ statistic: 'Sum', period, label: 'errors' }),
        processor.metricThrottles({ statistic: 'Sum', period, label: 'throttles' }),
      ]),
    );
    dashboard.addWidgets(
      graph('API latency (ms)', [
        this.httpApi.metricLatency({ statistic: 'p50', period, label: 'p50' }),
        this.httpApi.metricLatency({ statistic: 'p99', period, label: 'p99' }),
        this.httpApi.metricIntegrationLatency({ statistic: 'p99', period, label: 'integration p99' }),
      ]),
      graph('API errors', [
        this.httpApi.metricClientError({ statistic: 'Sum', period, label: '4xx' }),
        this.httpApi.metricServerError({ statistic: 'Sum', period, label: '5xx' }),
      ]),
    );
    return dashboard;
  }

  /**
   * One role per producer source, allowed only to send to the events queue.
   * SQS cannot look inside a message, so the role cannot pin the CloudEvent's
   * `source`: the processor's source→type allowlist rejects anything else
   * (`forbidden_type`). The role is what makes sends attributable.
   */
  private createProducerRoles(props: StatelessStackProps): Map<string, Role> {
    const { eventsQueue: queue, dataKey } = props.stateful;
    const roles = new Map<string, Role>();
    for (const source of props.sources) {
      const account = props.producerAccounts?.[source] ?? this.account;
      const role = new Role(this, `Producer-${source}`, {
        assumedBy: new AccountPrincipal(account),
        description: `Producer ${source}: may send CloudEvents to the events queue`,
        maxSessionDuration: Duration.hours(1),
        inlinePolicies: {
          send: new PolicyDocument({
            statements: [
              // SendMessage also authorises SendMessageBatch.
              new PolicyStatement({ actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'], resources: [queue.queueArn] }),
              // The queue is encrypted with the data key: senders need a data key from it.
              new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [dataKey.keyArn] }),
            ],
          }),
        },
      });
      Tags.of(role).add('reform-indicators:source', source);
      new CfnOutput(this, `ProducerRoleArn-${source.replaceAll('.', '-')}`, {
        value: role.roleArn,
        description: `Role producer ${source} assumes to send events`,
      });
      roles.set(source, role);
    }
    new CfnOutput(this, 'EventsQueueUrl', { value: queue.queueUrl, description: 'Where producers send CloudEvents' });
    new CfnOutput(this, 'EventsDeadLetterQueueUrl', {
      value: props.stateful.eventsDeadLetterQueue.queueUrl,
      description: 'Redrive with npm run redrive',
    });
    return roles;
  }
}

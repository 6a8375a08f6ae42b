/**
 * PodlifeConsoleWidgets: "what is stuck, since when, why" inside the AWS console, with no extra
 * login: CloudWatch dashboard custom widgets backed by one Lambda that renders the web page's
 * views (pending pods, crash-looping pods, a pod's timeline) as HTML (functions/widget). The
 * console calls the function with the viewer's own credentials, so who may see the widgets is
 * who may `lambda:InvokeFunction` it (grantView); the function may only read the table as the
 * query API does.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SERVICES } from '../model/metric-names.ts';
import { PodlifeFunction } from './podlife-function.ts';
import { podReadPolicy } from './query-api.ts';

interface PodlifeConsoleWidgetsProps {
  table: dynamodb.ITableV2;
  stuckPendingSeconds?: number;
  stuckPendingOverrides?: Record<string, number>;
  logRetention?: logs.RetentionDays;
  removalPolicy?: RemovalPolicy;
}

/** Widget renders at once at most: a dashboard opened by many viewers cannot take the account's concurrency. */
export const WIDGET_RESERVED_CONCURRENCY = 5;

export class PodlifeConsoleWidgets extends Construct {
  readonly widget: PodlifeFunction;

  constructor(scope: Construct, id: string, props: PodlifeConsoleWidgetsProps) {
    super(scope, id);
    this.widget = new PodlifeFunction(this, 'Widget', {
      entry: 'functions/widget/handler.ts',
      description: 'podlife console widgets: pending and crash-looping pods, pod timelines (HTML)',
      serviceName: SERVICES.widget,
      memorySize: 512,
      timeout: Duration.seconds(25),
      reservedConcurrentExecutions: WIDGET_RESERVED_CONCURRENCY,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      environment: {
        TABLE_NAME: props.table.tableName,
        STUCK_PENDING_SECONDS: String(props.stuckPendingSeconds ?? 300),
        STUCK_PENDING_OVERRIDES: JSON.stringify(props.stuckPendingOverrides ?? {}),
      },
    });
    this.widget.role.attachInlinePolicy(podReadPolicy(this, 'WidgetPolicy', props.table));
  }

  /** The dashboard widgets: pending and crash-looping pods of every cluster, side by side. */
  widgets(): cloudwatch.IWidget[] {
    const functionArn = this.widget.fn.functionArn;
    return [
      new cloudwatch.CustomWidget({
        functionArn,
        title: 'Pods pending now (click a pod for its timeline)',
        params: { view: 'pending' },
        width: 12,
        height: 10,
        updateOnTimeRangeChange: false,
      }),
      new cloudwatch.CustomWidget({
        functionArn,
        title: 'Pods crash-looping now (click a pod for its timeline)',
        params: { view: 'crashloops' },
        width: 12,
        height: 10,
        updateOnTimeRangeChange: false,
      }),
    ];
  }

  /** Lets a console user, role or group see the widgets (invoke the widget function). */
  grantView(grantee: iam.IGrantable): iam.Grant {
    return this.widget.fn.grantInvoke(grantee);
  }
}

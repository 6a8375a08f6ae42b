/**
 * The ready-made stack: the pipeline with its settings, and the names a forwarder and an
 * operator need as outputs (the bus to send to, the queues to inspect).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ForwarderAccess, type ForwarderAccessProps } from '../deploy/cdk/forwarder-access.ts';
import { PodLifecyclePipeline, type PodLifecyclePipelineProps } from './pipeline.ts';

export interface PodlifeStackProps extends StackProps {
  pipeline?: PodLifecyclePipelineProps;
  /** How the in-cluster forwarder assumes its role (EKS Pod Identity by default, or IRSA). */
  forwarder?: Omit<ForwarderAccessProps, 'bus'>;
}

export class PodlifeStack extends Stack {
  readonly pipeline: PodLifecyclePipeline;
  readonly forwarderAccess: ForwarderAccess;

  constructor(scope: Construct, id: string, props: PodlifeStackProps = {}) {
    super(scope, id, props);
    this.pipeline = new PodLifecyclePipeline(this, 'Pipeline', props.pipeline);
    const p = this.pipeline;
    // The forwarder's role: events:PutEvents on this bus and nothing else (outputs its ARN).
    this.forwarderAccess = new ForwarderAccess(this, 'ForwarderAccess', { ...props.forwarder, bus: p.bus });
    new CfnOutput(this, 'EventBusName', {
      value: p.bus.eventBusName,
      description: 'Send pod snapshots here (forwarder --bus)',
    });
    new CfnOutput(this, 'EventBusArn', { value: p.bus.eventBusArn });
    new CfnOutput(this, 'TableName', { value: p.table.tableName });
    new CfnOutput(this, 'InvalidEventsQueueUrl', { value: p.invalidEventsQueue.queueUrl });
    new CfnOutput(this, 'FailureQueueUrl', { value: p.failureQueue.queueUrl });
    new CfnOutput(this, 'AlertTopicArn', { value: p.alertTopic.topicArn });
  }
}

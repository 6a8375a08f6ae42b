/**
 * The forwarder's AWS identity: one IAM role that may do exactly one thing, events:PutEvents on
 * the podlife bus, of events whose `source` is the forwarder's (`podlife.forwarder`): a stolen
 * forwarder credential cannot forge `podlife.alerts`, invalid-event reports or another sender's
 * events. Assumable by EKS Pod Identity (the `pods.eks.amazonaws.com` service, with
 * sts:AssumeRole and sts:TagSession, which Pod Identity needs) and, when an OIDC provider is
 * given, by IRSA for the forwarder's ServiceAccount only. The role ARN is a stack output for the
 * user to wire to the ServiceAccount (a Pod Identity association, or the IRSA annotation).
 *
 * The stack wires it in:
 *   new ForwarderAccess(this, 'ForwarderAccess', { bus });
 * and kubernetes-event-exporter, when used, gets its own role with its own source:
 *   new ForwarderAccess(this, 'ExporterAccess', { bus, source: EXPORTER_SOURCE, serviceAccount });
 */
import { CfnJson, CfnOutput, Duration, Token } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../core/snapshot.ts';

interface ForwarderServiceAccount {
  namespace: string;
  name: string;
}

export interface ForwarderAccessProps {
  /** The podlife bus: the only resource the role can touch. */
  bus: events.IEventBus;
  /** The ServiceAccount the forwarder runs as (deploy/kustomize: podlife/podlife-forwarder). */
  serviceAccount?: ForwarderServiceAccount;
  /**
   * IRSA: the cluster's IAM OIDC provider ARN
   * (arn:aws:iam::ACCOUNT:oidc-provider/oidc.eks.REGION.amazonaws.com/id/ID).
   */
  oidcProviderArn?: string;
  /**
   * IRSA: the issuer, without https:// (oidc.eks.REGION.amazonaws.com/id/ID). Derived from
   * oidcProviderArn when that is a literal string; required when it is a token.
   */
  oidcIssuer?: string;
  /** Trust EKS Pod Identity (default true). */
  podIdentity?: boolean;
  /** Fixed role name (default: generated). */
  roleName?: string;
  /**
   * The only `source` the role may put on the bus (IAM condition key `events:source`). Default
   * `podlife.forwarder`; `kubernetes-event-exporter` for the exporter's role.
   */
  source?: string;
}

const DEFAULT_SERVICE_ACCOUNT: ForwarderServiceAccount = {
  namespace: 'podlife',
  name: 'podlife-forwarder',
};

export class ForwarderAccess extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ForwarderAccessProps) {
    super(scope, id);
    const sa = props.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT;
    const podIdentity = props.podIdentity ?? true;
    if (!podIdentity && !props.oidcProviderArn) {
      throw new Error('ForwarderAccess: trust nobody? Enable podIdentity or give oidcProviderArn (IRSA).');
    }
    const principals: iam.IPrincipal[] = [];
    if (podIdentity) {
      // Pod Identity assumes the role with AssumeRole and tags the session with the pod's identity.
      principals.push(new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')));
    }
    if (props.oidcProviderArn) {
      const issuer = props.oidcIssuer ?? issuerOf(props.oidcProviderArn);
      const value = {
        [`${issuer}:sub`]: `system:serviceaccount:${sa.namespace}:${sa.name}`,
        [`${issuer}:aud`]: 'sts.amazonaws.com',
      };
      // Condition keys contain the issuer: a token there needs CfnJson (a custom resource) to
      // resolve at deploy time; a literal issuer does not.
      const conditions = Token.isUnresolved(issuer) ? new CfnJson(this, 'IrsaConditions', { value }) : value;
      principals.push(new iam.WebIdentityPrincipal(props.oidcProviderArn, { StringEquals: conditions }));
    }
    const source = props.source ?? EVENT_SOURCE;
    if (!/^[\x21-\x7e]{1,256}$/.test(source)) {
      throw new Error(
        `ForwarderAccess: source must be 1-256 printable characters, got ${JSON.stringify(source)}`,
      );
    }
    this.role = new iam.Role(this, 'Role', {
      ...(props.roleName !== undefined ? { roleName: props.roleName } : {}),
      description: `podlife sender (${sa.namespace}/${sa.name}): events:PutEvents on the podlife bus, source ${source} only`,
      assumedBy:
        principals.length === 1 && principals[0] ? principals[0] : new iam.CompositePrincipal(...principals),
      maxSessionDuration: Duration.hours(1),
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PutEventsOnThePodlifeBus',
        actions: ['events:PutEvents'],
        resources: [props.bus.eventBusArn],
        // EventBridge authorises each entry's source: an entry with any other source is refused.
        conditions: { StringEquals: { 'events:source': source } },
      }),
    );
    new CfnOutput(this, 'RoleArn', {
      value: this.role.roleArn,
      description:
        'Role of the podlife forwarder: associate it with the ServiceAccount (EKS Pod Identity) or annotate the ServiceAccount with eks.amazonaws.com/role-arn (IRSA).',
    });
  }
}

/** The issuer part of an IAM OIDC provider ARN (literal strings only). */
function issuerOf(providerArn: string): string {
  const m = /:oidc-provider\/(.+)$/.exec(providerArn);
  if (!m?.[1]) {
    throw new Error(
      'ForwarderAccess: oidcIssuer is required when oidcProviderArn is not a literal provider ARN',
    );
  }
  return m[1];
}

/**
 * The wire contract: what a snapshot keeps and what it must never carry, strictness, and the
 * documented example events (docs/examples) parsing through the same schema the ingest uses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KubePod } from '../../core/kube-schemas.ts';
import {
  compactEventOf,
  DETAIL_TYPE_EVENT,
  DETAIL_TYPE_SNAPSHOT,
  EVENT_SOURCE,
  MAX_MESSAGE_CHARS,
  ownerOf,
  PodEventSnapshot,
  PodSnapshot,
  snapshotOf,
} from '../../core/snapshot.ts';
import { parseBusEvent } from '../../functions/ingest/parse-bus-event.ts';
import { fixtureObjects, RECEIVED_AT } from '../../testkit/fixtures.ts';

const DOCS = join(import.meta.dirname, '..', '..', 'docs');
const CANARY = 'canary-s3cr3t-7f3a9c';

function podWithSecrets(): Record<string, unknown> {
  const { value } = fixtureObjects('is-healthy__start-error.yaml')[0]!;
  const pod = structuredClone(value) as Record<string, any>;
  pod.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = `{"env":"${CANARY}"}`;
  pod.metadata.managedFields = [{ manager: CANARY, fieldsV1: { [CANARY]: {} } }];
  pod.metadata.labels.secret = CANARY;
  pod.spec.containers[0].env.push({ name: 'DB_PASSWORD', value: CANARY });
  pod.spec.containers[0].args = [`--token=${CANARY}`];
  pod.spec.containers[0].command = ['sh', '-c', `echo ${CANARY}`];
  pod.spec.containers[0].envFrom = [{ secretRef: { name: CANARY } }];
  return pod;
}

describe('the pod snapshot contract', () => {
  it('never carries env, args, command, labels, annotations or managedFields', () => {
    const snap = snapshotOf(podWithSecrets(), { cluster: 'c', type: 'MODIFIED' });
    const text = JSON.stringify(snap);
    expect(text).not.toContain(CANARY);
    expect(text).not.toMatch(/"(env|envFrom|args|command|annotations|labels|managedFields|spec)"/);
    expect(PodSnapshot.parse(snap)).toEqual(snap);
  });

  it('keeps what the figures need: conditions with times, states, exit codes, messages', () => {
    const snap = snapshotOf(podWithSecrets(), { cluster: 'c', type: 'MODIFIED' });
    expect(snap.pod).toMatchObject({
      uid: 'e62563fa-7f61-4103-8211-1d63f247064b',
      namespace: 'hf-qa-malawi',
      owner: { kind: 'Job', name: 'run-migrations' },
      phase: 'Failed',
      qosClass: 'BestEffort',
      nodeName: 'fargate-ip-10-142-26-168.eu-west-1.compute.internal',
    });
    expect(snap.pod.conditions).toContainEqual({
      type: 'PodScheduled',
      status: 'True',
      lastTransitionTime: '2024-11-22T11:55:06Z',
    });
    expect(snap.pod.containerStatuses[0]!.state?.terminated).toMatchObject({
      exitCode: 128,
      reason: 'StartError',
    });
  });

  it(`cuts messages to ${MAX_MESSAGE_CHARS} characters`, () => {
    const pod = podWithSecrets() as Record<string, any>;
    pod.status.message = 'x'.repeat(5000);
    const snap = snapshotOf(pod, { cluster: 'c', type: 'MODIFIED' });
    expect(snap.pod.message).toHaveLength(MAX_MESSAGE_CHARS);
    expect(snap.pod.message!.endsWith('…')).toBe(true);
  });

  it('is strict: unknown keys and unknown schema versions are rejected', () => {
    const snap = snapshotOf(podWithSecrets(), { cluster: 'c', type: 'MODIFIED' });
    expect(PodSnapshot.safeParse({ ...snap, schemaVersion: 2 }).success).toBe(false);
    expect(PodSnapshot.safeParse({ ...snap, pod: { ...snap.pod, env: [] } }).success).toBe(false);
  });

  it.each([
    [
      'a Deployment through its ReplicaSet (pod-template-hash label)',
      'k8s-website__debug-running-pod__nginx-pod.yaml',
      { kind: 'Deployment', name: 'nginx-deployment' },
    ],
    [
      'a Deployment from Kubernetes < 1.11 (label hash differs from the name)',
      'gitops-engine__pod-imagepullbackoff.yaml',
      { kind: 'Deployment', name: 'guestbook-ui-errimagepullbackoff' },
    ],
    [
      'a Job',
      'insights-operator__auditlog-retention-job-failed.json',
      { kind: 'Job', name: 'auditlog-retention-28566720' },
    ],
    [
      'a static pod: its Node',
      'insights-operator__etcd-master-0-init-restarts.json',
      { kind: 'Node', name: 'master-0.imeixner20210707.lab.upshift.rdu2.redhat.com' },
    ],
    ['no owner', 'gitops-engine__pod-crashloop.yaml', undefined],
  ])('owner: %s', (_name, file, owner) => {
    const pod = KubePod.parse(fixtureObjects(file)[0]!.value);
    expect(ownerOf(pod)).toEqual(owner);
  });

  it('compacts core/v1 Events, old style and new style', () => {
    const events = fixtureObjects('devops2-volodymyr__minikube-default-eventlist.json').map((o) => ({
      kind: 'Event',
      ...(o.value as object),
    }));
    const failed = events
      .map((e) => compactEventOf(e))
      .find((e) => e?.reason === 'FailedScheduling' && e.podName === 'redis-1')!;
    expect(failed).toMatchObject({
      podName: 'redis-1',
      namespace: 'default',
      count: 1,
      source: 'default-scheduler',
    });
    expect(failed.firstTimestamp).toBe('2024-11-17T10:40:04Z');
    // The new-style event (eventTime set, first/lastTimestamp null) is about a Node: not a pod event.
    const nodeEvent = events.find((e: any) => e.eventTime)!;
    expect(compactEventOf(nodeEvent)).toBeUndefined();
    const pulled = compactEventOf(fixtureObjects('k9s__ev-pulled.json')[0]!.value);
    expect(pulled).toMatchObject({ reason: 'Pulled', container: 'c1' });
  });

  it('the documented example events parse with the contract', () => {
    const snap = JSON.parse(readFileSync(join(DOCS, 'examples', 'pod-snapshot-event.json'), 'utf8'));
    expect(snap.source).toBe(EVENT_SOURCE);
    expect(snap['detail-type']).toBe(DETAIL_TYPE_SNAPSHOT);
    expect(PodSnapshot.parse(snap.detail).pod.name).toBe('my-pod');
    const ev = JSON.parse(readFileSync(join(DOCS, 'examples', 'pod-event-event.json'), 'utf8'));
    expect(ev['detail-type']).toBe(DETAIL_TYPE_EVENT);
    expect(PodEventSnapshot.parse(ev.detail).event.reason).toBe('FailedScheduling');
    // Pod Facts, readable and compressed: the same facts, through the ingest's own parser.
    const [plain, deflated] = ['pod-facts-event.json', 'pod-facts-deflate-event.json'].map((f) =>
      parseBusEvent(JSON.parse(readFileSync(join(DOCS, 'examples', f), 'utf8')), RECEIVED_AT),
    );
    expect(plain).toMatchObject({ ok: true, kind: 'facts', detail: { name: 'my-pod', namespace: 'argocd' } });
    expect(deflated).toMatchObject({ ok: true, kind: 'facts' });
    if (!plain?.ok || plain.kind !== 'facts' || !deflated?.ok || deflated.kind !== 'facts') return;
    expect(deflated.detail.factsDeflate).toBeDefined();
    expect(deflated.facts).toEqual(plain.facts);
    expect(plain.facts.find((f) => f.kind === 'restarts')).toMatchObject({ container: 'main', n: 3 });
  });
});

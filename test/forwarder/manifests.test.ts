/**
 * deploy/: every manifest parses; RBAC is list/watch on pods and events and nothing else; the
 * Deployment runs restricted (non-root, read-only root filesystem, no privilege escalation, all
 * capabilities dropped, RuntimeDefault seccomp) with resources and probes on /healthz and
 * /readyz; the kustomize base and overlays reference files that exist and configure a valid
 * forwarder; the Dockerfile is multi-stage and runs the bundle as a non-root user.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { FLAG_ENV, parseConfig } from '../../forwarder/flags.ts';

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');
const KUSTOMIZE = join(DEPLOY, 'kustomize');

type Doc = any;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(f) ? [p] : [];
  });
}

function docs(file: string): Doc[] {
  const parsed = parseAllDocuments(readFileSync(file, 'utf8'));
  for (const d of parsed) {
    if (d.errors.length > 0) throw new Error(`${relative(DEPLOY, file)}: ${d.errors[0]?.message}`);
  }
  return parsed.map((d) => d.toJSON()).filter(Boolean);
}

/** The resources a kustomization builds from (its own files, recursively through bases), without patches. */
function resourcesOf(dir: string): Doc[] {
  const k = docs(join(dir, 'kustomization.yaml'))[0];
  return (k.resources ?? []).flatMap((r: string) => {
    const p = join(dir, r);
    return statSync(p).isDirectory() ? resourcesOf(p) : docs(p);
  });
}

/** The merged configMapGenerator literals of a kustomization and its bases. */
function literalsOf(dir: string): Record<string, string> {
  const k = docs(join(dir, 'kustomization.yaml'))[0];
  let out: Record<string, string> = {};
  for (const r of k.resources ?? []) {
    const p = join(dir, r);
    if (statSync(p).isDirectory()) out = { ...out, ...literalsOf(p) };
  }
  for (const g of k.configMapGenerator ?? []) {
    for (const l of g.literals ?? []) {
      const i = l.indexOf('=');
      out[l.slice(0, i)] = l.slice(i + 1);
    }
  }
  return out;
}

const base = resourcesOf(join(KUSTOMIZE, 'base'));
const byKind = (kind: string) => base.filter((d) => d.kind === kind);
const deployment = byKind('Deployment')[0];
const podSpec = deployment.spec.template.spec;
const container = podSpec.containers[0];

describe('deploy/ manifests', () => {
  it('every YAML file parses, and every kustomization references files that exist', () => {
    const files = yamlFiles(KUSTOMIZE);
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const f of files) expect(docs(f).length).toBeGreaterThan(0);
    for (const k of files.filter((f) => f.endsWith('kustomization.yaml'))) {
      const doc = docs(k)[0];
      expect(doc.kind).toBe('Kustomization');
      for (const r of [
        ...(doc.resources ?? []),
        ...(doc.patches ?? []).map((p: { path: string }) => p.path),
      ]) {
        expect(existsSync(join(dirname(k), r)), `${relative(DEPLOY, k)} → ${r}`).toBe(true);
      }
    }
  });

  it('the base has what the forwarder needs, each kind once', () => {
    expect(base.map((d) => d.kind).sort()).toEqual(
      [
        'ClusterRole',
        'ClusterRoleBinding',
        'Deployment',
        'Namespace',
        'PodDisruptionBudget',
        'PriorityClass',
        'Service',
        'ServiceAccount',
      ].sort(),
    );
    expect(byKind('Namespace')[0].metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('ClusterRole: exactly list and watch, on pods and events, in the core group', () => {
    const role = byKind('ClusterRole')[0];
    const grants = role.rules.flatMap((r: Doc) =>
      r.apiGroups.flatMap((g: string) =>
        r.resources.flatMap((res: string) => r.verbs.map((v: string) => `${g}/${res}:${v}`)),
      ),
    );
    expect(grants.sort()).toEqual(['/events:list', '/events:watch', '/pods:list', '/pods:watch']);
    expect(JSON.stringify(role.rules)).not.toContain('*');
    for (const r of role.rules) expect(r.resourceNames).toBeUndefined();
  });

  it('ClusterRoleBinding binds that role to the forwarder ServiceAccount', () => {
    const b = byKind('ClusterRoleBinding')[0];
    const sa = byKind('ServiceAccount')[0];
    expect(b.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: byKind('ClusterRole')[0].metadata.name,
    });
    expect(b.subjects).toEqual([
      { kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace },
    ]);
    expect(podSpec.serviceAccountName).toBe(sa.metadata.name);
    // Pod Identity by default: no role annotation in the base (an IRSA overlay adds it).
    expect(sa.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBeUndefined();
  });

  it('Deployment: restricted securityContext', () => {
    expect(podSpec.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(podSpec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(podSpec.hostNetwork ?? false).toBe(false);
    for (const c of podSpec.containers) {
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.securityContext.capabilities.add).toBeUndefined();
    }
  });

  it('Deployment: resources, probes on /healthz and /readyz at the port the forwarder serves', () => {
    for (const k of ['cpu', 'memory']) {
      expect(container.resources.requests[k]).toBeTruthy();
      expect(container.resources.limits[k]).toBeTruthy();
    }
    const env = Object.fromEntries(
      container.env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    const port = container.ports.find((p: Doc) => p.name === container.livenessProbe.httpGet.port);
    expect(port.containerPort).toBe(Number(env.PODLIFE_PORT));
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.readinessProbe.httpGet.port).toBe(port.name);
    // The shutdown flush fits in the grace period.
    expect(podSpec.terminationGracePeriodSeconds).toBeGreaterThan(Number(env.PODLIFE_FLUSH_SECONDS));
    // The heap stays under the memory limit.
    expect(env.NODE_OPTIONS).toMatch(/--max-old-space-size=(\d+)/);
    expect(Number(/=(\d+)/.exec(env.NODE_OPTIONS)![1])).toBeLessThan(
      Number.parseInt(container.resources.limits.memory, 10),
    );
  });

  it('Deployment: two replicas, RollingUpdate that never drops below them, spread, a priority class', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    const pc = byKind('PriorityClass')[0];
    expect(podSpec.priorityClassName).toBe(pc.metadata.name);
    expect(pc.value).toBeGreaterThan(0);
    expect(pc.value).toBeLessThan(1_000_000_000); // below the system-* classes
    expect(pc.globalDefault).toBe(false);
    const spread = podSpec.topologySpreadConstraints.map((c: Doc) => c.topologyKey);
    expect(spread).toContain('kubernetes.io/hostname');
    for (const c of podSpec.topologySpreadConstraints)
      expect(c.labelSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    // Each replica names itself in its heartbeats.
    const podName = container.env.find((e: Doc) => e.name === 'POD_NAME');
    expect(podName.valueFrom.fieldRef.fieldPath).toBe('metadata.name');
  });

  it('PodDisruptionBudget: one forwarder stays through voluntary disruptions', () => {
    const pdb = byKind('PodDisruptionBudget')[0];
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
  });

  it('Service selects the forwarder pods and targets the metrics port', () => {
    const svc = byKind('Service')[0];
    for (const [k, v] of Object.entries(svc.spec.selector))
      expect(deployment.spec.template.metadata.labels[k]).toBe(v);
    expect(container.ports.map((p: Doc) => p.name)).toContain(svc.spec.ports[0].targetPort);
    expect(deployment.spec.selector.matchLabels).toEqual(svc.spec.selector);
  });

  it.each(['base', 'overlays/example', 'overlays/example-irsa'])(
    '%s: the ConfigMap the Deployment reads holds only known PODLIFE_* settings',
    (dir) => {
      const literals = literalsOf(join(KUSTOMIZE, dir));
      const known = new Set(Object.values(FLAG_ENV));
      for (const key of Object.keys(literals)) expect(known.has(key), key).toBe(true);
      const generated = docs(join(KUSTOMIZE, 'base', 'kustomization.yaml'))[0].configMapGenerator[0].name;
      expect(container.envFrom[0].configMapRef.name).toBe(generated);
      // With the Deployment's own env, it is a configuration the forwarder accepts.
      const env = { ...literals, ...Object.fromEntries(container.env.map((e: Doc) => [e.name, e.value])) };
      const cfg = parseConfig([], env);
      expect(cfg).not.toBe('help');
      // Application-written text stays in the cluster unless the operator opts in.
      expect(cfg !== 'help' && cfg.forwardMessages).toBe(false);
    },
  );

  it('the example overlay sets cluster, bus, region and image; the IRSA overlay annotates the ServiceAccount', () => {
    const example = docs(join(KUSTOMIZE, 'overlays/example/kustomization.yaml'))[0];
    expect(example.configMapGenerator[0].behavior).toBe('merge');
    expect(Object.keys(literalsOf(join(KUSTOMIZE, 'overlays/example')))).toEqual(
      expect.arrayContaining(['PODLIFE_CLUSTER', 'PODLIFE_BUS', 'PODLIFE_REGION']),
    );
    expect(example.images[0].name).toBe(container.image);
    const irsaDir = join(KUSTOMIZE, 'overlays/example-irsa');
    const irsa = docs(join(irsaDir, 'kustomization.yaml'))[0];
    const patch = docs(join(irsaDir, irsa.patches[0].path))[0];
    const sa = byKind('ServiceAccount')[0];
    expect(patch).toMatchObject({
      kind: 'ServiceAccount',
      metadata: { name: sa.metadata.name, namespace: sa.metadata.namespace },
    });
    expect(patch.metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\//);
  });

  it('Dockerfile: multi-stage, bundles with forwarder/build.ts, runs as a non-root uid', () => {
    const text = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
    const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
    const froms = lines.filter((l) => /^FROM\s/i.test(l));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(froms[0]).toMatch(/ AS build$/i);
    expect(text).toContain('forwarder/build.ts');
    const final = lines.slice(lines.indexOf(froms.at(-1)!));
    const user = final.filter((l) => /^USER\s/i.test(l)).at(-1);
    expect(user).toMatch(/^USER\s+[1-9]\d*(:[1-9]\d*)?$/);
    expect(final.join('\n')).toContain('/app/forwarder.mjs');
    expect(final.join('\n')).not.toMatch(/npm|node_modules/);
  });

  it('Dockerfile: both stages on the Node.js major the tests and the Lambdas run on', () => {
    const text = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
    const froms = text.split('\n').filter((l) => /^FROM\s/i.test(l));
    const pkg = JSON.parse(readFileSync(join(DEPLOY, '..', 'package.json'), 'utf8'));
    const major = String(pkg.devDependencies.node).split('.')[0];
    expect(major).toBe('24');
    expect(froms[0]).toMatch(new RegExp(`^FROM node:${major}(\\.\\d+)*-bookworm-slim AS build$`));
    expect(froms.at(-1)).toMatch(new RegExp(`^FROM gcr\\.io/distroless/nodejs${major}-debian12(:nonroot)?$`));
  });
});

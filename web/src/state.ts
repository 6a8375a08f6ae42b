/**
 * What the page shows, kept in the location hash so a view can be linked and bookmarked:
 * `#cluster=prod&pod=argocd/my-pod&uid=…&by=owner&group=argocd/Deployment/web`.
 */

export interface ViewState {
  cluster: string | null;
  /** The selected pod: namespace and name; uid picks one incarnation. */
  pod: { namespace: string; name: string } | null;
  uid: string | null;
  by: 'namespace' | 'owner';
  /** The statistics group whose histograms are shown. */
  group: string | null;
}

export function parseHash(hash: string): ViewState {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const pod = q.get('pod');
  const slash = pod ? pod.indexOf('/') : -1;
  return {
    cluster: q.get('cluster') || null,
    pod:
      pod && slash > 0 && slash < pod.length - 1
        ? { namespace: pod.slice(0, slash), name: pod.slice(slash + 1) }
        : null,
    uid: q.get('uid') || null,
    by: q.get('by') === 'owner' ? 'owner' : 'namespace',
    group: q.get('group') || null,
  };
}

export function hashOf(s: ViewState): string {
  const q = new URLSearchParams();
  if (s.cluster) q.set('cluster', s.cluster);
  if (s.pod) q.set('pod', `${s.pod.namespace}/${s.pod.name}`);
  if (s.pod && s.uid) q.set('uid', s.uid);
  if (s.by !== 'namespace') q.set('by', s.by);
  if (s.group) q.set('group', s.group);
  return `#${q.toString()}`;
}

/** The hash of `s` changed by `patch`: the href of every link on the page. */
export function linkTo(s: ViewState, patch: Partial<ViewState>): string {
  return hashOf({ ...s, ...patch });
}

export type Route =
  | { kind: 'health' }
  | { kind: 'list-models' }
  | { kind: 'get-model'; id: string }
  | { kind: 'chat-completions'; deployment?: string }
  | { kind: 'embeddings'; deployment?: string }
  | { kind: 'admin-faults' }
  | { kind: 'admin-stats' }
  | { kind: 'admin-reset' };

export type RouteMatch =
  | { matched: true; route: Route }
  | { matched: false; reason: 'not-found' }
  | { matched: false; reason: 'method-not-allowed'; allow: string[] };

interface RouteEntry {
  pattern: RegExp;
  methods: Record<string, (params: string[]) => Route>;
}

const ROUTES: RouteEntry[] = [
  { pattern: /^\/healthz$/, methods: { GET: () => ({ kind: 'health' }) } },
  { pattern: /^\/v1\/models$/, methods: { GET: () => ({ kind: 'list-models' }) } },
  { pattern: /^\/v1\/models\/([^/]+)$/, methods: { GET: ([id]) => ({ kind: 'get-model', id: id! }) } },
  { pattern: /^\/v1\/chat\/completions$/, methods: { POST: () => ({ kind: 'chat-completions' }) } },
  { pattern: /^\/v1\/embeddings$/, methods: { POST: () => ({ kind: 'embeddings' }) } },
  {
    pattern: /^\/openai\/deployments\/([^/]+)\/chat\/completions$/,
    methods: { POST: ([deployment]) => ({ kind: 'chat-completions', deployment: deployment! }) },
  },
  {
    pattern: /^\/openai\/deployments\/([^/]+)\/embeddings$/,
    methods: { POST: ([deployment]) => ({ kind: 'embeddings', deployment: deployment! }) },
  },
  {
    pattern: /^\/admin\/faults$/,
    methods: { GET: () => ({ kind: 'admin-faults' }), POST: () => ({ kind: 'admin-faults' }) },
  },
  { pattern: /^\/admin\/stats$/, methods: { GET: () => ({ kind: 'admin-stats' }) } },
  { pattern: /^\/admin\/reset$/, methods: { POST: () => ({ kind: 'admin-reset' }) } },
];

/** Matches a request path (without query) and method; a trailing slash is tolerated. */
export function matchRoute(method: string, pathname: string): RouteMatch {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  for (const entry of ROUTES) {
    const found = entry.pattern.exec(path);
    if (!found) continue;
    const build = entry.methods[method];
    if (!build) return { matched: false, reason: 'method-not-allowed', allow: Object.keys(entry.methods) };
    let params: string[];
    try {
      params = found.slice(1).map((p) => decodeURIComponent(p));
    } catch {
      return { matched: false, reason: 'not-found' };
    }
    return { matched: true, route: build(params) };
  }
  return { matched: false, reason: 'not-found' };
}

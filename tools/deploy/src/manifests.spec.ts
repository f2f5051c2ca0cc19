/**
 * The deployment files are code: every Kustomize overlay renders, every object validates against
 * the Kubernetes schemas, every Deployment is production-shaped, and every variable a service's
 * configuration needs is provided by the manifests and by the compose file.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

const ROOT = path.resolve(__dirname, '../../..');
const SERVICES = ['gateway', 'auth', 'ingestion', 'attribution', 'forecasting', 'reporting'] as const;
const DATABASE_SERVICES = SERVICES.filter((s) => s !== 'gateway');
const OVERLAYS = readdirSync(path.join(ROOT, 'k8s/overlays'));

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  data?: Record<string, string>;
};
type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
type Variable = { doc: string; secret?: boolean; parse(raw: string | undefined): unknown };

function kustomize(overlay: string): Manifest[] {
  let text: string;
  try {
    text = execFileSync('kubectl', ['kustomize', path.join(ROOT, 'k8s/overlays', overlay)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new Error(`kubectl kustomize k8s/overlays/${overlay} failed (kubectl >= 1.27 needed): ${error}`);
  }
  return parseAllDocuments(text).map((d) => d.toJS() as Manifest);
}

/** Schema errors per object, from the Kubernetes OpenAPI schemas in `kubernetes-models`. */
function schemaErrors(objects: Manifest[]): { name: string; error: string | null }[] {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'validate-objects.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
  });
  return JSON.parse(output);
}

function configLoader(service: string): {
  load: (env: Record<string, string>) => unknown;
  spec: Record<string, Variable>;
} {
  // Loaded by path, as tools/db loads entities: tools may not import apps.
  const module = require(path.join(ROOT, 'apps', service, 'src/config')) as Record<string, unknown>;
  const load = Object.entries(module).find(([name]) => /^load\w+Config$/.test(name))?.[1];
  const spec = Object.entries(module).find(([name]) => /ConfigSpec$/.test(name))?.[1];
  if (typeof load !== 'function' || !spec) throw new Error(`apps/${service}/src/config has no loader/spec`);
  return { load: load as (env: Record<string, string>) => unknown, spec: spec as Record<string, Variable> };
}

/** A valid stand-in for a value that comes from a Secret (its real value is never in the repository). */
const secretStandIn = (name: string) =>
  /URL$/.test(name)
    ? 'postgres://secret:secret@secret.invalid:5432/sextant'
    : Buffer.alloc(32, 7).toString('base64');

/** Variables whose default only makes sense on a developer's machine must be set in a deployment. */
function loopbackDefaults(spec: Record<string, Variable>): string[] {
  return Object.entries(spec)
    .filter(([, variable]) => {
      try {
        return /127\.0\.0\.1|localhost/.test(String(variable.parse(undefined)));
      } catch {
        return false; // required: no default at all
      }
    })
    .map(([name]) => name);
}

function expectConfigComplete(service: string, env: Record<string, string>) {
  const { load, spec } = configLoader(service);
  expect(() => load(env)).not.toThrow();
  const unset = loopbackDefaults(spec).filter((name) => !(name in env));
  expect({ service, unsetLoopbackDefaults: unset }).toEqual({ service, unsetLoopbackDefaults: [] });
}

describe.each(OVERLAYS)('k8s overlay %s', (overlay) => {
  const objects = kustomize(overlay);
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const named = (kind: string, name: string) => byKind(kind).find((o) => o.metadata.name === name);

  it('renders objects that validate against the Kubernetes schemas', () => {
    const core = objects.filter((o) => !o.apiVersion.startsWith('keda.sh/'));
    expect(core.length).toBeGreaterThan(30);
    expect(schemaErrors(core).filter((r) => r.error)).toEqual([]);
  });

  it.each(SERVICES)(
    'has a Deployment, Service, autoscaler, disruption budget and network policy for %s',
    (service) => {
      expect(named('Deployment', service)).toBeDefined();
      expect(named('Service', service)).toBeDefined();
      expect(named('HorizontalPodAutoscaler', service) ?? named('ScaledObject', service)).toBeDefined();
      expect(named('PodDisruptionBudget', service)?.spec.selector.matchLabels).toEqual({
        'app.kubernetes.io/name': service,
      });
      expect(named('NetworkPolicy', service)?.spec.podSelector.matchLabels).toEqual({
        'app.kubernetes.io/name': service,
      });
    },
  );

  it('runs a migration Job per schema-owning service and a topics Job', () => {
    for (const service of DATABASE_SERVICES) {
      const job = named('Job', `${service}-migrate`);
      expect(job?.spec.template.spec.containers[0].args).toEqual(['migrate']);
      const env: EnvVar[] = job?.spec.template.spec.containers[0].env ?? [];
      expect(env.map((e) => e.name)).toEqual(expect.arrayContaining(['DATABASE_URL', 'DATABASE_OWNER_URL']));
    }
    expect(named('Job', 'kafka-topics')?.spec.template.spec.containers[0].args).toEqual(['topics']);
  });

  it.each(SERVICES)(
    'runs %s production-shaped: probes, resources, non-root, read-only, drains',
    (service) => {
      const pod = named('Deployment', service)!.spec.template.spec;
      const [container] = pod.containers;
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(container.resources.limits.memory).toEqual(expect.any(String));
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      const grace = Number((container.env as EnvVar[]).find((e) => e.name === 'SHUTDOWN_GRACE_MS')?.value);
      expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(grace);
    },
  );

  it('lets only the gateway be reached from outside the namespace', () => {
    const open = byKind('NetworkPolicy').filter((policy) =>
      (policy.spec.ingress ?? []).some((rule: { from?: unknown[] }) => !rule.from),
    );
    expect(open.map((p) => p.metadata.name)).toEqual(['gateway']);
  });

  it.each(SERVICES)('provides every variable the %s configuration needs', (service) => {
    const container = named('Deployment', service)!.spec.template.spec.containers[0];
    const env: Record<string, string> = {};
    for (const source of container.envFrom ?? []) {
      const configMap = named('ConfigMap', source.configMapRef.name);
      expect(configMap).toBeDefined();
      Object.assign(env, configMap!.data);
    }
    for (const variable of container.env as EnvVar[]) {
      env[variable.name] = variable.valueFrom?.secretKeyRef ? secretStandIn(variable.name) : variable.value!;
    }
    expectConfigComplete(service, env);
  });

  it('never stores a secret value: secrets are references', () => {
    expect(byKind('Secret')).toEqual([]);
  });
});

describe('docker/compose.yaml', () => {
  const compose = parseYaml(readFileSync(path.join(ROOT, 'docker/compose.yaml'), 'utf8'), {
    merge: true,
  }) as {
    services: Record<
      string,
      { environment?: Record<string, string | number>; build?: { args?: { APP?: string } } }
    >;
  };

  it('runs the whole platform: brokers, database, every service, and the observability stack', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining([...SERVICES, 'postgres', 'kafka', 'prometheus', 'grafana', 'otel-collector']),
    );
    for (const service of SERVICES) expect(compose.services[service].build?.args?.APP).toBe(service);
  });

  it.each(SERVICES)('gives %s every variable its configuration needs', (service) => {
    const env = Object.fromEntries(
      Object.entries(compose.services[service].environment ?? {}).map(([k, v]) => [
        k,
        String(v).replace(/\$\{\w+:-([^}]*)\}/g, '$1'),
      ]),
    );
    expectConfigComplete(service, env);
  });
});

// Validates Kubernetes objects (JSON array on stdin) against the Kubernetes OpenAPI schemas shipped
// by `kubernetes-models`; prints [{kind, name, error}] on stdout. An ES module of its own because
// kubernetes-models is ESM-only and jest runs CommonJS.
import * as models from 'kubernetes-models';

const groups = {
  v1: models.v1,
  'apps/v1': models.apps.v1,
  'batch/v1': models.batch.v1,
  'autoscaling/v2': models.autoscaling.v2,
  'policy/v1': models.policy.v1,
  'networking.k8s.io/v1': models.networkingK8sIo.v1,
};

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const objects = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const results = objects.map((object) => {
  const name = `${object.kind}/${object.metadata?.name}`;
  const Model = groups[object.apiVersion]?.[object.kind];
  if (!Model) return { name, error: `no schema for ${object.apiVersion} ${object.kind}` };
  try {
    new Model(object).validate();
    return { name, error: null };
  } catch (error) {
    return { name, error: String(error.message ?? error) };
  }
});
process.stdout.write(JSON.stringify(results));

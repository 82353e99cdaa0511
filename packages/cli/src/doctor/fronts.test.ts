import { describe, expect, it } from 'vitest';
import { parseManifest } from '../kubernetes/manifest.js';
import { toCluster } from './cluster.js';
import { frontsOf } from './fronts.js';

const app = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;

function fronts(extra: string) {
  const cluster = toCluster(parseManifest('a.yaml', `${app}---\n${extra}`));
  const [workload] = cluster.workloads;
  if (!workload) throw new Error('no workload');
  return frontsOf(cluster, workload).map(
    (front) => `${front.kind} ${front.object.kind}/${front.object.name} ip=${front.ipTargets}`,
  );
}

describe('frontsOf', () => {
  it("follows an extensions-era backend's serviceName, and an IngressClass's controller", () => {
    const text = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: public}
spec: {controller: ingress.k8s.aws/alb}
---
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata:
  name: old
  annotations: {kubernetes.io/ingress.class: public, alb.ingress.kubernetes.io/target-type: ip}
spec:
  backend: {serviceName: web, servicePort: 80}
`;
    expect(fronts(text)).toEqual(['alb Ingress/old ip=true']);
  });

  it('takes an IngressClass of ingress-nginx by its controller, whatever its name', () => {
    const text = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: edge}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: edge}
spec:
  ingressClassName: edge
  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;
    expect(fronts(text)).toEqual(['ingress-nginx Ingress/edge ip=true']);
  });

  it('ignores an Ingress of another controller and a backend Service in another namespace', () => {
    const text = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: traefik}
spec:
  ingressClassName: traefik
  defaultBackend: {service: {name: web, port: {number: 80}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: elsewhere, namespace: other}
spec:
  ingressClassName: nginx
  defaultBackend: {service: {name: web, port: {number: 80}}}
`;
    expect(fronts(text)).toEqual([]);
  });
});

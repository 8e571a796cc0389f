// Verifies a model rollback by reading the registry: 1 when the alias (or the stage) points at the
// version the rollback moved it to, else 0. It reads MLflow through the registry client; the
// remediation flow polls it like any verifier (its signal is data: { kind: 'mlflow-pointer', ... }).
import { MlflowClient } from '../../sources/models/mlflow';
import type { AuthorizationGetter } from '../../sources/http';

export interface RegistryPointerSignal {
  kind: string;
  trackingUri?: string;
  model?: string;
  alias?: string;
  stage?: string;
  version?: string;
}

export class MlflowPointerVerifier {
  constructor(private readonly authorization?: (trackingUri: string) => AuthorizationGetter | undefined) {}

  async read(signal: RegistryPointerSignal, abort?: AbortSignal): Promise<number> {
    if (signal.kind !== 'mlflow-pointer' || !signal.trackingUri || !signal.model || !signal.version) throw new Error(`the registry verifier reads mlflow-pointer signals, not ${signal.kind}`);
    const client = new MlflowClient({ trackingUri: signal.trackingUri, authorization: this.authorization?.(signal.trackingUri) });
    if (signal.alias !== undefined) return (await client.versionByAlias(signal.model, signal.alias, abort)).version === signal.version ? 1 : 0;
    const versions = await client.versions(signal.model, 50, abort);
    return versions.find((v) => v.version === signal.version)?.stage === signal.stage ? 1 : 0;
  }
}

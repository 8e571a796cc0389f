// Where an action is aimed, and the facts about that place that decide its policy. An alert may
// name its environment and service (that is what the alert is about), but it never says what they
// are: whether an environment is production and which tier a service belongs to come from the
// policy file only. An environment the policy does not declare counts as production, so a label
// such as env=eu-prod, env=PROD or env=anything-new can only make a decision stricter.

import type { Alert } from '../core/model';
import { globMatch } from './glob';
import { checkName, normaliseName } from './names';
import type { Policy } from './types';

export interface EnvironmentClass {
  production: boolean;
  /** Which declaration decided, or why none did; for the explanation of a decision. */
  reason: string;
}

/** Whether an environment is production according to the policy's `environments` map. */
export function classifyEnvironment(policy: Pick<Policy, 'environments'>, environment: string): EnvironmentClass {
  const c = checkName(environment, 'The environment name');
  if (!c.ok) return { production: true, reason: `${c.problem}, so it counts as production` };
  const matches = Object.entries(policy.environments ?? {}).filter(([key]) => globMatch(key, c.name, { ignoreCase: true }));
  if (matches.length === 0) {
    return { production: true, reason: `"${c.name}" is not declared in the policy's environments, and an undeclared environment counts as production` };
  }
  const prod = matches.find(([, facts]) => facts.production !== false);
  if (prod) return { production: true, reason: `the policy declares "${c.name}" production (environments.${prod[0]})` };
  return { production: false, reason: `the policy declares "${c.name}" non-production (environments.${matches.map(([k]) => k).join(', environments.')})` };
}

/** A service's tier from the policy's `services` map (keys are normalised when the policy loads). */
export function tierOf(policy: Pick<Policy, 'services'>, service: string | undefined): string | undefined {
  if (service === undefined) return undefined;
  const c = checkName(service, 'The service name');
  if (!c.ok) return undefined;
  return Object.prototype.hasOwnProperty.call(policy.services, c.name) ? policy.services[c.name]?.tier : undefined;
}

export interface TargetSettings {
  /** incidentLens.environment: where actions go when the alert names no environment. */
  environment: string;
}

export interface PlanTargetFacts {
  /** Normalised environment name. */
  environment: string;
  /** Whether the name came from the alert or from the settings. */
  environmentFrom: 'alert' | 'settings';
  production: boolean;
  productionReason: string;
  /** Normalised service name, when the alert names one. */
  service?: string;
  /** From the policy's `services` map only. */
  tier?: string;
  /** Labels that looked like policy facts and were ignored, said so for the approval prompt. */
  ignored: string[];
}

/**
 * The target of actions taken for an alert. Throws NameError when the alert's environment or
 * service name is not one a person could have meant (control characters, newlines, too long).
 */
export function planTarget(alert: Pick<Alert, 'environment' | 'service' | 'labels'>, settings: TargetSettings, policy: Pick<Policy, 'environments' | 'services'>): PlanTargetFacts {
  const fromAlert = alert.environment !== undefined && alert.environment.trim() !== '';
  const environment = normaliseName(fromAlert ? alert.environment : settings.environment, fromAlert ? "The alert's environment" : 'The incidentLens.environment setting');
  const rawService = alert.service ?? alert.labels?.service;
  const service = rawService === undefined || rawService.trim() === '' ? undefined : normaliseName(rawService, "The alert's service");
  const cls = classifyEnvironment(policy, environment);
  const tier = tierOf(policy, service);
  const ignored: string[] = [];
  const labelTier = alert.labels?.tier;
  if (labelTier !== undefined) {
    ignored.push(`the alert's label tier=${JSON.stringify(labelTier)} is ignored: ${tier !== undefined ? `the policy says tier ${tier}` : 'the policy gives this service no tier'}`);
  }
  return { environment, environmentFrom: fromAlert ? 'alert' : 'settings', production: cls.production, productionReason: cls.reason, service, tier, ignored };
}

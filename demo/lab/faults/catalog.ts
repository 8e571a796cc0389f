// Every fault of the lab, by name: the recorder's and the tests' one list.
import type { FaultDefinition } from './types';
import { acquirerOutage } from './catalog/acquirerOutage';
import { badConfigStatementTimeout } from './catalog/badConfigStatementTimeout';
import { cardNetworkTypeError } from './catalog/cardNetworkTypeError';
import { cpuHog } from './catalog/cpuHog';
import { dbConnectionLeak } from './catalog/dbConnectionLeak';
import { dbIdleTransactionLock } from './catalog/dbIdleTransactionLock';
import { dbLockMigration } from './catalog/dbLockMigration';
import { dnsFailure } from './catalog/dnsFailure';
import { featureFlagFlip } from './catalog/featureFlagFlip';
import { memoryLeak } from './catalog/memoryLeak';
import { nPlusOneQuery } from './catalog/nPlusOneQuery';
import { rateLimited } from './catalog/rateLimited';
import { tlsCertificateExpired } from './catalog/tlsCertificateExpired';
import { trafficSpike } from './catalog/trafficSpike';

export const FAULTS: readonly FaultDefinition[] = [
  cardNetworkTypeError,
  dbLockMigration,
  dbIdleTransactionLock,
  dbConnectionLeak,
  badConfigStatementTimeout,
  nPlusOneQuery,
  memoryLeak,
  cpuHog,
  tlsCertificateExpired,
  featureFlagFlip,
  trafficSpike,
  dnsFailure,
  rateLimited,
  acquirerOutage,
];

export function faultByName(name: string): FaultDefinition {
  const fault = FAULTS.find((f) => f.name === name);
  if (!fault) throw new Error(`no fault named ${JSON.stringify(name)}; the faults are ${FAULTS.map((f) => f.name).join(', ')}`);
  return fault;
}

// The list of postmortem cases, in the order the README lists them.

import type { PostmortemCase } from './lib/bundle';
import { awsS32017PlaybookRemoval } from './aws-s3-2017-playbook-removal';
import { cloudflare2017LeapSecond } from './cloudflare-2017-leap-second';
import { cloudflare2019WafRegex } from './cloudflare-2019-waf-regex';
import { dynamodb2015MetadataOverload } from './dynamodb-2015-metadata-overload';
import { epic2021WildcardCert } from './epic-2021-wildcard-cert';
import { facebook2010ConfigFeedback } from './facebook-2010-config-feedback';
import { fastly2021CdnOutage } from './fastly-2021-cdn-outage';
import { flagsmithMigrationLock } from './flagsmith-migration-lock';
import { gcp2022ZoneCooling } from './gcp-2022-zone-cooling';
import { github2022Mysql1Peak } from './github-2022-mysql1-peak';
import { google2020QuotaZeroUsage } from './google-2020-quota-zero-usage';
import { knight2012RepurposedFlag } from './knight-2012-repurposed-flag';

export const POSTMORTEM_CASES: PostmortemCase[] = [
  cloudflare2019WafRegex,
  awsS32017PlaybookRemoval,
  google2020QuotaZeroUsage,
  epic2021WildcardCert,
  cloudflare2017LeapSecond,
  knight2012RepurposedFlag,
  gcp2022ZoneCooling,
  facebook2010ConfigFeedback,
  flagsmithMigrationLock,
  github2022Mysql1Peak,
  dynamodb2015MetadataOverload,
  fastly2021CdnOutage,
];

// The list of postmortem cases, in the order the README lists them.

import type { PostmortemCase } from './lib/bundle';
import { awsS32017PlaybookRemoval } from './aws-s3-2017-playbook-removal';
import { cloudflare2017LeapSecond } from './cloudflare-2017-leap-second';
import { cloudflare2019WafRegex } from './cloudflare-2019-waf-regex';
import { epic2021WildcardCert } from './epic-2021-wildcard-cert';
import { google2020QuotaZeroUsage } from './google-2020-quota-zero-usage';

export const POSTMORTEM_CASES: PostmortemCase[] = [
  cloudflare2019WafRegex,
  awsS32017PlaybookRemoval,
  google2020QuotaZeroUsage,
  epic2021WildcardCert,
  cloudflare2017LeapSecond,
];

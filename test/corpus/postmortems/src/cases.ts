// The list of postmortem cases, in the order the README lists them.

import type { PostmortemCase } from './lib/bundle';
import { awsS32017PlaybookRemoval } from './aws-s3-2017-playbook-removal';
import { cloudflare2017LeapSecond } from './cloudflare-2017-leap-second';
import { cloudflare2019WafRegex } from './cloudflare-2019-waf-regex';
import { cloudflare2025KvThirdPartyStorage } from './cloudflare-2025-kv-third-party-storage';
import { docsrs2019DiskFull } from './docsrs-2019-disk-full';
import { dynamodb2015MetadataOverload } from './dynamodb-2015-metadata-overload';
import { epic2021WildcardCert } from './epic-2021-wildcard-cert';
import { facebook2010ConfigFeedback } from './facebook-2010-config-feedback';
import { fastly2021CdnOutage } from './fastly-2021-cdn-outage';
import { flagsmithMigrationLock } from './flagsmith-migration-lock';
import { gcp2022ZoneCooling } from './gcp-2022-zone-cooling';
import { gcp2025ServiceControlNpe } from './gcp-2025-service-control-npe';
import { github2022Mysql1Peak } from './github-2022-mysql1-peak';
import { google2020QuotaZeroUsage } from './google-2020-quota-zero-usage';
import { groupsio2018ChatConnectionLeak } from './groupsio-2018-chat-connection-leak';
import { honeycomb2019IngestLeak } from './honeycomb-2019-ingest-leak';
import { improvmx2025RollupFullScan } from './improvmx-2025-rollup-full-scan';
import { incidentio2022PoisonPill } from './incidentio-2022-poison-pill';
import { knight2012RepurposedFlag } from './knight-2012-repurposed-flag';
import { salesforce2021DnsEbf } from './salesforce-2021-dns-ebf';
import { stripe2019ShardElection } from './stripe-2019-shard-election';
import { svix2023OomUnexplained } from './svix-2023-oom-unexplained';

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
  docsrs2019DiskFull,
  stripe2019ShardElection,
  svix2023OomUnexplained,
  incidentio2022PoisonPill,
  improvmx2025RollupFullScan,
  salesforce2021DnsEbf,
  gcp2025ServiceControlNpe,
  groupsio2018ChatConnectionLeak,
  honeycomb2019IngestLeak,
  cloudflare2025KvThirdPartyStorage,
];

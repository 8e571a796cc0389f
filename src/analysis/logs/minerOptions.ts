// The miner's options: bounds, and the design switches that bench/loghub.ts chooses by
// leave-one-system-out on LogHub.
import type { MaskingOptions } from './tokens';

export interface MinerOptions extends MaskingOptions {
  /**
   * Lines that differ from each other in one word only, at one position, share a template once
   * that position has taken this many distinct values: a variable, not a different event.
   */
  distinctValuesForVariable: number;
  /** Identifier-like tokens (dotted names, paths, hosts, quoted strings) fill one slot when the rest of the line agrees. */
  valueSlots: boolean;
  /** Two words that both hold a masked number (`broadcast_<*>`, `rdd_<*>`) fill one slot when the rest agrees. */
  maskedWordSlots: boolean;
  /** A plain word under a key (`user=root`, `isShow:false`) is an enum value: distinctValuesForVariable does not make it a variable. */
  keyedWordsConstant: boolean;
  /** Templates are bucketed by their leading token, which never becomes a variable (Drain's first tree level). */
  leadingTokenKey: boolean;
  /**
   * The distinctValuesForVariable rule also holds against a template that already has variables:
   * lines that fit it but for one word, at one position, prove that position variable too.
   */
  generalizedVariants: boolean;
  /** When a template gains a variable, the templates of its shape that it now covers join it (so the order of lines matters less). */
  absorbCovered: boolean;
  /**
   * A variable of a template may stand for up to this many more tokens of a line, or for none,
   * when constants on both sides agree (values with spaces, empty values). 0 turns it off.
   */
  variableLengthSlots: number;
  /**
   * Drain's rule as a last resort: a line joins the most similar template of its length when at
   * least this fraction of positions agree, the rest becoming variables. 0 turns it off.
   */
  similarity: number;
  /** Beyond this many templates, unmatched lines go to one 'other' template (bounded memory). */
  maxTemplates: number;
  maxSamples: number;
  maxSampleLength: number;
}

/**
 * The one configuration for all logs. The design switches are what the selection picks when it
 * sees all ten LogHub-2k systems (in-sample); `npm run bench -- loghub` repeats the selection, says
 * whether these defaults still match it, and reports the held-out (leave-one-system-out) figure.
 */
export const defaultMinerOptions: MinerOptions = {
  distinctValuesForVariable: 3,
  valueSlots: true,
  maskedWordSlots: true,
  keyedWordsConstant: true,
  leadingTokenKey: true,
  generalizedVariants: false,
  absorbCovered: true,
  variableLengthSlots: 0,
  similarity: 0,
  quotedStrings: true,
  sizeUnits: true,
  calendarWords: true,
  hexWords: true,
  collapseVariableRuns: false,
  repeatedTokenLists: true,
  wholeTokenNumbers: false,
  comparisonSigns: true,
  maxTokens: 128,
  maxTokenLength: 256,
  maxLineLength: 16384,
  maxTemplates: 5000,
  maxSamples: 3,
  maxSampleLength: 512,
};

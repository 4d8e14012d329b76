/**
 * A small English stemmer for the emulation's stemming search mode
 * (`search: "stemming"`, or `SAMPLE_SEARCH=stemming` under `npm start`).
 * ButterCMS does not document how its search matches words
 * (docs/buttercms.md, "Search matching is not documented"); search engines
 * commonly match stems, so a post saying "run" is found by "running". This
 * mode exists so that nothing in the backend can rely on a guess about
 * matching that a stemming engine would break.
 *
 * The rules are the inflectional steps of Porter's algorithm (M. F. Porter,
 * "An algorithm for suffix stripping", 1980: steps 1a, 1b, 1c and 5a), which
 * strip plurals and -ed/-ing and undo the doubled consonant they leave:
 * posts → post, running → run, getting → get, setting → set,
 * started → start, caching and cache → cach, stories → stori. The
 * derivational steps (-ational, -ness, …) are left out: enough to break a
 * prefix guess, short enough to read.
 */

const isVowelAt = (word: string, i: number): boolean => {
  const c = word[i];
  if (c === "a" || c === "e" || c === "i" || c === "o" || c === "u") return true;
  // "y" is a vowel after a consonant (Porter's definition).
  return c === "y" && i > 0 && !isVowelAt(word, i - 1);
};

/** Porter's m: the number of vowel-consonant sequences in `stem`. */
function measure(stem: string): number {
  let m = 0;
  let previousVowel = false;
  for (let i = 0; i < stem.length; i++) {
    const vowel = isVowelAt(stem, i);
    if (previousVowel && !vowel) m++;
    previousVowel = vowel;
  }
  return m;
}

const hasVowel = (stem: string): boolean => [...stem].some((_c, i) => isVowelAt(stem, i));

const endsWithDoubleConsonant = (stem: string): boolean =>
  stem.length >= 2 && stem.at(-1) === stem.at(-2) && !isVowelAt(stem, stem.length - 1);

/** Consonant-vowel-consonant at the end, the last not w, x or y (hop, not hoop or snow). */
function endsCvc(stem: string): boolean {
  const n = stem.length;
  if (n < 3) return false;
  const last = stem[n - 1] as string;
  return (
    !isVowelAt(stem, n - 3) && isVowelAt(stem, n - 2) && !isVowelAt(stem, n - 1) && !"wxy".includes(last)
  );
}

/** Step 1a: plurals. */
function plural(word: string): string {
  if (word.endsWith("sses")) return word.slice(0, -2);
  if (word.endsWith("ies")) return word.slice(0, -2);
  if (word.endsWith("ss")) return word;
  if (word.endsWith("s")) return word.slice(0, -1);
  return word;
}

/** Step 1b: -eed, -ed, -ing, and what removing them leaves (hopp → hop, hop → hope). */
function pastAndProgressive(word: string): string {
  if (word.endsWith("eed")) return measure(word.slice(0, -3)) > 0 ? word.slice(0, -1) : word;
  let stem: string | null = null;
  if (word.endsWith("ed") && hasVowel(word.slice(0, -2))) stem = word.slice(0, -2);
  else if (word.endsWith("ing") && hasVowel(word.slice(0, -3))) stem = word.slice(0, -3);
  if (stem === null) return word;
  if (stem.endsWith("at") || stem.endsWith("bl") || stem.endsWith("iz")) return `${stem}e`;
  if (endsWithDoubleConsonant(stem) && !/[lsz]$/.test(stem)) return stem.slice(0, -1);
  if (measure(stem) === 1 && endsCvc(stem)) return `${stem}e`;
  return stem;
}

/** Step 1c: a final y after a vowel-bearing stem becomes i (happy → happi). */
const finalY = (word: string): string =>
  word.endsWith("y") && hasVowel(word.slice(0, -1)) ? `${word.slice(0, -1)}i` : word;

/** Step 5a: a final e goes when the stem is long enough (cache → cach, but not hope's "hop"). */
function finalE(word: string): string {
  if (!word.endsWith("e")) return word;
  const stem = word.slice(0, -1);
  const m = measure(stem);
  return m > 1 || (m === 1 && !endsCvc(stem)) ? stem : word;
}

/** The stem of one lower-case word; words of one or two letters are left as they are. */
export function stem(word: string): string {
  if (word.length <= 2) return word;
  return finalE(finalY(pastAndProgressive(plural(word))));
}

/** The stems of a text's words (letters and digits; accents kept), in order. */
export function stems(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map(stem);
}

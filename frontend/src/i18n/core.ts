// The message catalogue machinery shared by the browser client, the
// tutorial page, /trust and the desktop window. Each surface has its own
// catalogue module (client.ts, window.ts, …) with an `en` and a `zh-CN`
// table of the same keys; tests check both are complete.

export type Locale = 'en' | 'zh-CN';
export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];

/** A catalogue entry: plain text with {name} placeholders, or plural forms by Intl.PluralRules category. */
export type Entry = string | Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
export type Catalogue<K extends string> = Record<Locale, Record<K, Entry>>;

const STORAGE_KEY = 'signalbox.locale';

/** pickLocale chooses the saved locale, else the first browser language we speak, else English. */
export function pickLocale(saved: string | null, languages: readonly string[]): Locale {
  if (saved === 'en' || saved === 'zh-CN') return saved;
  for (const lang of languages) {
    const l = lang.toLowerCase();
    if (l.startsWith('zh')) return 'zh-CN';
    if (l.startsWith('en')) return 'en';
  }
  return 'en';
}

/** Translator renders catalogue keys in one locale; switching locale notifies listeners. */
export class Translator<K extends string> {
  #locale: Locale;
  #listeners = new Set<(l: Locale) => void>();

  constructor(private readonly catalogue: Catalogue<K>, locale: Locale) {
    this.#locale = locale;
  }

  get locale(): Locale {
    return this.#locale;
  }

  /** t renders key with params; a number param named `count` selects the plural form. */
  t(key: K, params: Record<string, string | number> = {}): string {
    const entry = this.catalogue[this.#locale][key] ?? this.catalogue.en[key] ?? key;
    let text: string;
    if (typeof entry === 'string') {
      text = entry;
    } else {
      const count = typeof params.count === 'number' ? params.count : 0;
      const rule = new Intl.PluralRules(this.#locale).select(count);
      text = entry[rule] ?? entry.other;
    }
    return text.replace(/\{(\w+)\}/g, (m, name: string) => {
      const v = params[name];
      if (v === undefined) return m;
      return typeof v === 'number' ? new Intl.NumberFormat(this.#locale).format(v) : v;
    });
  }

  setLocale(locale: Locale): void {
    if (locale === this.#locale) return;
    this.#locale = locale;
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // storage may be disabled (private mode); the choice lasts for this page only
    }
    for (const l of this.#listeners) l(locale);
  }

  onChange(listener: (l: Locale) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** detectLocale reads the saved choice and the browser's languages. */
export function detectLocale(): Locale {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    saved = null;
  }
  return pickLocale(saved, navigator.languages ?? [navigator.language]);
}

function placeholders(entry: Entry): string[] {
  const texts = typeof entry === 'string' ? [entry] : Object.values(entry);
  const names = new Set<string>();
  for (const t of texts) for (const m of (t ?? '').matchAll(/\{(\w+)\}/g)) names.add(m[1]!);
  return [...names].sort();
}

/**
 * catalogueProblems lists what is wrong with a catalogue: a key missing or
 * empty in a locale, a key only one locale has, placeholders that differ
 * from the English entry's, a plural entry without its `other` form. It
 * returns an empty list for a complete catalogue; tests assert that.
 */
export function catalogueProblems<K extends string>(catalogue: Catalogue<K>): string[] {
  const problems: string[] = [];
  const keys = new Set<string>(LOCALES.flatMap((l) => Object.keys(catalogue[l] ?? {})));
  for (const key of [...keys].sort()) {
    const en = (catalogue.en as Record<string, Entry | undefined>)[key];
    for (const locale of LOCALES) {
      const entry = (catalogue[locale] as Record<string, Entry | undefined> | undefined)?.[key];
      if (entry === undefined) {
        problems.push(`${locale}: missing ${key}`);
        continue;
      }
      if (typeof entry === 'string' ? entry.trim() === '' : !entry.other?.trim()) {
        problems.push(`${locale}: ${key} is empty or has no "other" form`);
        continue;
      }
      if (en !== undefined && placeholders(entry).join() !== placeholders(en).join()) {
        problems.push(`${locale}: ${key} has placeholders {${placeholders(entry).join('},{')}} but English has {${placeholders(en).join('},{')}}`);
      }
    }
  }
  return problems;
}

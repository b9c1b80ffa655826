// The language check of the window: which Latin-script words its text
// shows. In Chinese each must be on e2e/zh-allowlist.txt (protocol terms,
// product and system names); scripts/smoke-window.sh reads them from the
// window's report (app.Rendered.Latin).

/** SEPARATORS split text into tokens: white space and CJK punctuation. */
const SEPARATORS = /[\s，。：；、（）“”‘’《》！？·↔,;:()"]+/;

/**
 * latinWords returns the distinct Latin-script words of texts, sorted.
 * Tokens that are not words are skipped: URLs and addresses (letters
 * mixed with digits, or with a dot inside), paths, long ids.
 */
export function latinWords(texts: string[]): string[] {
  const words = new Set<string>();
  for (const text of texts) {
    for (const tok of text.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, ' ').split(SEPARATORS)) {
      if (tok.includes('/') || (/\d/.test(tok) && /[A-Za-z]/.test(tok)) || /[A-Za-z][.@][A-Za-z]/.test(tok) || /^[\w-]{16,}$/.test(tok)) continue;
      for (const w of tok.match(/[A-Za-z][A-Za-z'’]*/g) ?? []) words.add(w);
    }
  }
  return [...words].sort();
}

// Glob patterns for project rules, as in Argo CD projects: "*" matches any run of characters except
// "/", "**" matches anything (slashes included), "?" one character; everything else is literal.
const cache = new Map<string, RegExp>();

export function globToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      // "**/" also matches no folder at all ("apps/**/base" matches "apps/base"), and a trailing
      // "/**" the folder itself ("apps/web/**" matches "apps/web", the folder an environment names).
      if (pattern[i + 2] === "/") (out += "(?:.*/)?"), (i += 2);
      else if (i + 2 === pattern.length && out.endsWith("/")) (out = `${out.slice(0, -1)}(?:/.*)?`), i++;
      else (out += ".*"), i++;
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  re = new RegExp(`^${out}$`);
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, re);
  return re;
}

export const globMatch = (pattern: string, value: string) => globToRegExp(pattern).test(value);

// Validates a repository URL before anything touches the network, with messages
// that say exactly what is wrong with it.
import { invalid } from "../errors";

export function parseRemoteUrl(raw: string): URL {
  const trimmed = raw.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw invalid(`"${trimmed}" is not a valid URL; expected something like https://git.example.com/team/config.git`, { field: "url" });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw invalid(`Only http:// and https:// repository URLs are supported (got ${url.protocol.replace(":", "")}://); use the HTTPS clone URL`, {
      field: "url",
    });
  }
  if (!url.hostname) throw invalid(`Repository URL "${trimmed}" has no host`, { field: "url" });
  if (url.username || url.password) {
    throw invalid("Put credentials in the username and token fields, not in the URL, so they are stored encrypted", { field: "url" });
  }
  if (url.search || url.hash) throw invalid("Repository URL must not contain a query string or fragment", { field: "url" });
  return url;
}

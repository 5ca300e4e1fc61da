'use strict';

/** The origin of a URL (scheme://host:port), or null for an empty or invalid one. */
function originOf(url) {
  try {
    return url ? new URL(url).origin : null;
  } catch {
    return null;
  }
}

module.exports = { originOf };

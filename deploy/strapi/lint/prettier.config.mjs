// Prettier for the multicam-review plugin, set to how it was written by hand (single
// quotes, semicolons, lines up to about 120), so adopting it changed little.
export default {
  printWidth: 120,
  singleQuote: true,
  trailingComma: 'es5',
};

// Prints "valid" when the reference implementation accepts the delivery, else "invalid: <its reason>".
// usage: node verify.mjs <secret> <headers JSON file> <body file>
// The timestamp is judged against this machine's clock (5 minutes either way), as the library does.
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";

const [secret, headersFile, bodyFile] = process.argv.slice(2);
if (bodyFile === undefined) {
  console.error("usage: node verify.mjs <secret> <headers JSON file> <body file>");
  process.exit(2);
}
const headers = JSON.parse(readFileSync(headersFile, "utf8"));
const body = readFileSync(bodyFile);
try {
  new Webhook(secret).verify(body, headers, { jsonParse: false });
  process.stdout.write("valid\n");
} catch (e) {
  process.stdout.write("invalid: " + e.message + "\n");
}

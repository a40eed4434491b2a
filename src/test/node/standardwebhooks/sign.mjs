// Prints the webhook-signature header value the reference implementation makes.
// usage: node sign.mjs <secret> <msg id> <unix seconds> <body file>
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";

const [secret, msgId, timestamp, bodyFile] = process.argv.slice(2);
if (bodyFile === undefined) {
  console.error("usage: node sign.mjs <secret> <msg id> <unix seconds> <body file>");
  process.exit(2);
}
const body = readFileSync(bodyFile);
process.stdout.write(new Webhook(secret).sign(msgId, new Date(Number(timestamp) * 1000), body) + "\n");

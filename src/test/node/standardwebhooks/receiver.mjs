// A callback receiver for the tests: verifies every request with the reference implementation and
// answers a scripted sequence of statuses (the last one repeats; "hold" never answers; "dribble"
// answers 200 and then sends its body one byte at a time, never ending it; "200@300" answers 200
// after 300 ms).
// usage: node receiver.mjs <secret> <port file> <statuses, e.g. 500,500,500,200> [retry-after] [port]
// Listens on 127.0.0.1 on <port> (0 or none: a free one), written to <port file> once listening.
// GET /__records answers every request received so far, in order, as JSON:
// [{"id", "timestamp", "signature", "verified", "reason", "status", "contentType", "body", "url"}]
import { createServer } from "node:http";
import { writeFileSync, renameSync } from "node:fs";
import { Webhook } from "standardwebhooks";

const [secret, portFile, statusList, retryAfter, port] = process.argv.slice(2);
if (statusList === undefined) {
  console.error("usage: node receiver.mjs <secret> <port file> <statuses> [retry-after]");
  process.exit(2);
}
const statuses = statusList.split(",");
const records = [];
const webhook = new Webhook(secret);

const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/__records") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(records));
    return;
  }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    let verified = false;
    let reason = "";
    try {
      webhook.verify(body, req.headers, { jsonParse: false });
      verified = true;
    } catch (e) {
      reason = e.message;
    }
    const planned = statuses[Math.min(records.length, statuses.length - 1)];
    records.push({
      id: req.headers["webhook-id"] ?? null,
      timestamp: req.headers["webhook-timestamp"] ?? null,
      signature: req.headers["webhook-signature"] ?? null,
      verified,
      reason,
      status: planned,
      contentType: req.headers["content-type"] ?? null,
      headerNames: Object.keys(req.headers),
      body,
      url: req.url,
    });
    if (planned === "hold") {
      return; // never answered: the sender's timeout, or its death, ends it
    }
    if (planned === "dribble") {
      // headers at once, then a body that never ends: only the sender's own limits end it
      res.writeHead(200, { "content-type": "text/plain" });
      const timer = setInterval(() => res.write("x"), 200);
      res.on("close", () => clearInterval(timer));
      return;
    }
    const headers = { "content-type": "text/plain" };
    if (retryAfter !== undefined && retryAfter !== "-") {
      headers["retry-after"] = retryAfter;
    }
    // "200@300": answer 200 after 300 ms
    const [code, delay] = planned.split("@");
    setTimeout(() => {
      res.writeHead(Number(code), headers);
      res.end("ok");
    }, Number(delay ?? 0));
  });
});
server.listen(Number(port ?? 0), "127.0.0.1", () => {
  writeFileSync(portFile + ".tmp", String(server.address().port));
  renameSync(portFile + ".tmp", portFile);
});

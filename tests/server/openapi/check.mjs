// Validates kiln-server's OpenAPI document with an OpenAPI 3.1 validator (the specification's own
// JSON schemas), then every response a test collected from the running server against what the
// document says of it: the status is documented for that operation, the Content-Type is one of
// its media types, and a JSON body validates against its schema (so a field the server sends
// that the document lacks fails: the response schemas allow no other properties).
// Usage: node check.mjs <openapi.json> <samples.json>; samples are
// [{"method", "path" (the route's template), "status", "content_type", "body", "schema"?}], where
// "schema" names a components schema for a response no operation describes (a 405).
// Prints one line per problem and exits 1 when there is any.
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";

const [documentPath, samplesPath] = process.argv.slice(2);
const document = JSON.parse(readFileSync(documentPath, "utf8"));
const samples = JSON.parse(readFileSync(samplesPath, "utf8"));
const problems = [];

const validation = await new Validator().validate(structuredClone(document));
if (!validation.valid) problems.push(`the document is not valid OpenAPI: ${JSON.stringify(validation.errors)}`);

const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
ajv.addSchema(document, "kiln");
for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
  if (!ajv.validateSchema(schema)) problems.push(`components.schemas.${name} is not a JSON Schema 2020-12: ${ajv.errorsText(ajv.errors)}`);
}

const pointer = (...parts) => parts.map((p) => "/" + String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("");
// A Reference Object of the document ("#/components/responses/NotFound") to its target and place.
function deref(value, place) {
  while (value && value.$ref) {
    place = value.$ref.slice(1);
    value = place.split("/").slice(1).reduce((node, p) => node?.[p.replaceAll("~1", "/").replaceAll("~0", "~")], document);
  }
  return [value, place];
}

for (const s of samples) {
  const what = `${s.method} ${s.path} -> ${s.status}`;
  const mediaType = (s.content_type || "").split(";")[0].trim();
  let schemaRef;
  if (s.schema) {
    schemaRef = `kiln#/components/schemas/${s.schema}`;
  } else {
    const operation = document.paths?.[s.path]?.[s.method.toLowerCase()];
    if (!operation) {
      problems.push(`${what}: the document has no operation ${s.method.toLowerCase()} under paths["${s.path}"]`);
      continue;
    }
    const [response, place] = deref(operation.responses?.[String(s.status)],
                                     pointer("paths", s.path, s.method.toLowerCase(), "responses", String(s.status)));
    if (!response) {
      problems.push(`${what}: status ${s.status} is not among the documented responses (${Object.keys(operation.responses ?? {}).join(", ")})`);
      continue;
    }
    const content = response.content ?? {};
    if (!(mediaType in content)) {
      problems.push(`${what}: Content-Type ${mediaType} is not documented (${Object.keys(content).join(", ") || "no content"})`);
      continue;
    }
    if (mediaType !== "application/json") continue;
    schemaRef = "kiln#" + place + pointer("content", mediaType, "schema");
  }
  let body;
  try {
    body = JSON.parse(s.body);
  } catch (e) {
    problems.push(`${what}: the body is not JSON: ${e.message}`);
    continue;
  }
  const validate = ajv.compile({ $ref: schemaRef });
  if (!validate(body)) {
    problems.push(`${what}: the body does not match the documented schema: ${ajv.errorsText(validate.errors, { separator: "; " })}\n  body: ${s.body.slice(0, 2000)}`);
  }
}

for (const p of problems) console.log(p);
console.log(`${samples.length} responses checked, ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);

import { z } from "@hono/zod-openapi";

/** The answers of the format routes (routes/formats.ts). */
const OptionSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    choices: z.array(z.string()).optional(),
    default: z.string().optional(),
  })
  .openapi("FormatOption");

const FormatSchema = z
  .object({
    name: z.string().openapi({ example: "avro" }),
    title: z.string().openapi({ example: "Avro schema" }),
    description: z.string(),
    options: z.array(OptionSchema),
  })
  .openapi("FormatDirection");

export const FormatsSchema = z
  .object({
    import: z.array(
      FormatSchema.extend({
        target: z.enum(["odcs", "odps"]),
        input: z.enum(["document", "text", "binary", "data"]),
      }),
    ),
    export: z.array(FormatSchema),
  })
  .openapi("Formats");

const IssueSchema = z
  .object({
    code: z.string(),
    severity: z.enum(["error", "warning", "info"]),
    message: z.string(),
    file: z.string(),
    line: z.number().int(),
    column: z.number().int(),
    path: z.string(),
  })
  .openapi("Issue");

export const ImportedSchema = z
  .object({
    format: z.string(),
    target: z.enum(["odcs", "odps"]),
    document: z.record(z.string(), z.unknown()).openapi({ description: "The converted document" }),
    yaml: z.string().openapi({ description: "The converted document as YAML, ready to save as a file" }),
    issues: z.array(IssueSchema).openapi({ description: "What did not map (warnings) and what lint noticed" }),
  })
  .openapi("ImportResult");

export const ExportedFilesSchema = z
  .object({
    files: z.array(
      z.object({
        path: z.string(),
        mediaType: z.string(),
        encoding: z.enum(["utf-8", "base64"]),
        content: z.string(),
      }),
    ),
    issues: z.array(IssueSchema),
  })
  .openapi("ExportResult");

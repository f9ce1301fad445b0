import busboy from 'busboy';
import type { Request } from 'express';
import { assertDeclaredLength, BodyAborted, PayloadTooLarge } from '../../http/body.js';
import { InvalidInput } from '../../errors.js';

export interface Upload {
  fields: Record<string, string>;
  file: { content: Buffer; filename: string; mimeType: string } | null;
}

/**
 * A multipart form with one file (a logo, a PDF), read whole into memory, refused past `maxBytes`
 * (the file) — the only forms that do not go through the page guard's urlencoded parser (see
 * pageInput's `uploads`). Small text fields only (the CSRF token, a label).
 */
export function readUpload(req: Request, maxBytes: number): Promise<Upload> {
  return new Promise((resolve, reject) => {
    try {
      // The file, and room for the form's other parts.
      assertDeclaredLength(req, maxBytes + 64 * 1024);
    } catch (err) {
      return reject(err as Error);
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes, fields: 10, fieldSize: 2_000, parts: 12 } });
    } catch {
      return reject(InvalidInput.field('body', 'expected a multipart/form-data form', 'unsupported_media_type'));
    }
    const fields: Record<string, string> = {};
    let file: Upload['file'] = null;
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      req.resume();
      reject(err);
    };
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (_name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => fail(new PayloadTooLarge(maxBytes, 'body')));
      stream.on('end', () => {
        const content = Buffer.concat(chunks);
        if (content.length > 0) file = { content, filename: info.filename ?? '', mimeType: info.mimeType };
      });
    });
    parser.on('error', (err: Error) => fail(new BodyAborted(err.message)));
    parser.on('close', () => {
      if (!failed) resolve({ fields, file });
    });
    req.on('aborted', () => fail(new BodyAborted('the connection closed before the end of the body')));
    req.pipe(parser);
  });
}

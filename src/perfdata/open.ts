import * as fs from 'node:fs';
import { GiltraceError } from '../base/errors.js';
import { FileRangeSource, StreamSource, type ByteSource } from './byte-source.js';
import { PIPE_HEADER_SIZE } from './constants.js';
import type { MutableFeatures } from './features.js';
import { parseMagic, readFileHeader } from './file-header.js';
import { PerfReader } from './reader.js';
import { RecordQueue, type ReaderInit } from './record-queue.js';
import type { PerfData } from './types.js';

export interface OpenOptions {
  /** Sorter memory bound in bytes (default 64 MiB). */
  readonly maxQueueBytes?: number;
  /** Record block size in bytes (default: up to 4 MiB); small values are for tests. */
  readonly blockSize?: number;
}

/**
 * Opens a perf.data in file or pipe form (told apart by the header, not the name); `'-'` reads a
 * pipe-form stream from stdin. Attr, tracing data and feature sections are parsed here, so event
 * types, features and the time base are known on return; records stream from `records()`.
 */
export function openPerfData(path: string, options: OpenOptions = {}): PerfData {
  const fd = openFd(path);
  try {
    return openFd2(fd, path, options);
  } catch (err) {
    if (path !== '-') fs.closeSync(fd);
    throw err;
  }
}

function openFd(path: string): number {
  if (path === '-') return 0;
  try {
    return fs.openSync(path, 'r');
  } catch (err) {
    throw new GiltraceError(`cannot open: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file: path });
  }
}

function openFd2(fd: number, path: string, options: OpenOptions): PerfData {
  const stat = fs.fstatSync(fd);
  if (stat.isDirectory()) {
    throw new GiltraceError('is a directory: perf.data directories (perf record --threads) are not supported; record without --threads', { file: path });
  }
  const regular = stat.isFile();
  const features: MutableFeatures = { present: [] };
  const name = path === '-' ? '<stdin>' : path;
  if (!regular) return openPerfDataStream(new StreamSource(fd, name), name, options);
  const head = new Uint8Array(Math.min(PIPE_HEADER_SIZE, stat.size));
  fs.readSync(fd, head, 0, head.length, 0);
  const form = parseMagic(head, name);
  let source: ByteSource;
  if (form === 'pipe') {
    source = new FileRangeSource(fd, name, PIPE_HEADER_SIZE, stat.size);
    return inThread({ path: name, form, source, attrs: [], formats: new Map(), eventDescs: [], features, unknownFeatures: 0, maxQueueBytes: options.maxQueueBytes, blockSize: options.blockSize });
  }
  const h = readFileHeader(fd, name, stat.size, features);
  source = new FileRangeSource(fd, name, h.dataOffset, h.dataOffset + h.dataSize);
  return inThread({
    path: name, form, source, attrs: h.attrs, formats: h.formats, eventDescs: h.eventDescs, features,
    unknownFeatures: h.unknownFeatures, maxQueueBytes: options.maxQueueBytes, blockSize: options.blockSize,
  });
}

/**
 * Reads a pipe-form perf.data from a sequential source (stdin, a FIFO, or bytes in memory for
 * tests); the 16-byte pipe header is taken from the stream itself.
 */
export function openPerfDataStream(source: ByteSource, name: string, options: OpenOptions = {}): PerfData {
  return inThread({
    path: name, form: 'pipe', source, attrs: [], formats: new Map(), eventDescs: [], features: { present: [] }, unknownFeatures: 0,
    maxQueueBytes: options.maxQueueBytes, blockSize: options.blockSize, pipeHeader: true,
  });
}

function inThread(init: ReaderInit): PerfReader {
  const queue = new RecordQueue(init);
  // a blocking source never starves: the header is read to its end here
  if (!queue.readHeader()) throw new Error('internal error: a blocking byte source starved');
  return new PerfReader(init.path, init.form, queue);
}

/**
 * A projection grid worker thread: runs the grid tasks the pool sends ({id, task}) and answers
 * {id, result} or {id, error} (a Rejection's code, message and details, or an unexpected error's
 * message).
 */
import { parentPort } from 'node:worker_threads';
import { Rejection } from '../core/rejections.js';
import { gridFromTask, type GridTask } from './grid-task.js';

parentPort!.on('message', (message: { id: number; task: GridTask }) => {
  try {
    parentPort!.postMessage({ id: message.id, result: gridFromTask(message.task) });
  } catch (error) {
    parentPort!.postMessage({
      id: message.id,
      error:
        error instanceof Rejection
          ? { code: error.code, message: error.message, details: error.details }
          : { message: error instanceof Error ? error.message : String(error) },
    });
  }
});
parentPort!.postMessage({ ready: true });

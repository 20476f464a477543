import type { Express } from 'express';
import type { Services } from '../services.js';

export function mountDashboard(_app: Express, _services: Services): void {
  // filled in by the dashboard feature
}

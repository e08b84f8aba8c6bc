/** The JSON API lives under /api; everything else is a dashboard page (forms, text answers). */
export const isApiPath = (path: string) => path === '/api' || path.startsWith('/api/');

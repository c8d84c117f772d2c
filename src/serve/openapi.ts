// The OpenAPI 3.1 document served at /openapi.json: every route with its parameters, answers and errors.

type Schema = Record<string, unknown>;

const str = (description?: string, format?: string): Schema => ({ type: 'string', ...(format ? { format } : {}), ...(description ? { description } : {}) });
const num = (description?: string): Schema => ({ type: 'number', ...(description ? { description } : {}) });

function query(name: string, description: string, schema: Schema, required = false): Schema {
  return { name, in: 'query', required, description, schema };
}

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const errors = (codes: number[]): Record<string, Schema> =>
  Object.fromEntries(codes.map((c) => [String(c), { description: c === 409 ? 'the simulated clock is outside the trace' : 'bad request', content: { 'application/json': { schema: ERROR_REF } } }]));

function get(summary: string, parameters: Schema[], schema: Schema, codes = [400, 404, 409]): Schema {
  return {
    get: {
      summary,
      parameters,
      responses: { '200': { description: 'OK', content: { 'application/json': { schema } } }, ...errors(codes) },
    },
  };
}

/** The document for a server of these zones. */
export function openApiDocument(zones: string[]): Schema {
  const zone = (name: 'zone' | 'location', many = false): Schema =>
    query(name, `a served zone (a loaded trace's name)${many ? '; repeat for several' : ''}`, many ? { type: 'array', items: { type: 'string', enum: zones } } : { type: 'string', enum: zones }, true);
  const iso = (d: string): Schema => str(d, 'date-time');
  const emPoint = { $ref: '#/components/schemas/EmCarbonIntensity' };
  return {
    openapi: '3.1.0',
    info: {
      title: 'carbon-sim serve',
      version: '1',
      description:
        'Carbon intensity of recorded traces in simulated time, shaped like Electricity Maps v3 and the carbon-aware SDK WebAPI. Forecasts are as issued at the simulated now. Times are ISO 8601 UTC; intensities gCO2eq/kWh.',
    },
    paths: {
      '/v3/zones': get('Electricity Maps: the served zones', [], { type: 'object', additionalProperties: { type: 'object' } }, []),
      '/v3/carbon-intensity/latest': get('Electricity Maps: intensity of the step holding the simulated now', [zone('zone')], emPoint),
      '/v3/carbon-intensity/history': get(
        'Electricity Maps: the steps of the last 24 hours up to now, oldest first',
        [zone('zone')],
        { type: 'object', properties: { zone: str(), history: { type: 'array', items: emPoint } } },
      ),
      '/v3/carbon-intensity/forecast': get(
        'Electricity Maps: the forecast in force at now, from the current step on',
        [zone('zone'), query('horizonHours', 'only this many hours ahead', { type: 'integer', minimum: 1 })],
        {
          type: 'object',
          properties: {
            zone: str(),
            forecast: { type: 'array', items: { type: 'object', properties: { carbonIntensity: num(), datetime: iso('step start') } } },
            updatedAt: iso('issue time of the forecast'),
          },
        },
      ),
      '/emissions/bylocation': get(
        'carbon-aware SDK: observed intensity (default: steps starting in the last 24 hours up to now)',
        [zone('location'), query('time', 'start of the range', iso('')), query('toTime', 'end of the range (exclusive)', iso(''))],
        { type: 'array', items: { $ref: '#/components/schemas/EmissionsData' } },
      ),
      '/emissions/bylocations': get(
        'carbon-aware SDK: observed intensity of several locations',
        [zone('location', true), query('time', 'start of the range', iso('')), query('toTime', 'end of the range (exclusive)', iso(''))],
        { type: 'array', items: { $ref: '#/components/schemas/EmissionsData' } },
      ),
      '/emissions/forecasts/current': get(
        'carbon-aware SDK: the forecast in force at now and its least-mean window of windowSize minutes',
        [
          zone('location', true),
          query('dataStartAt', 'earliest window start (default: now)', iso('')),
          query('dataEndAt', 'latest window end (default: end of the forecast)', iso('')),
          query('windowSize', 'job length in minutes (default: one data point)', { type: 'number', exclusiveMinimum: 0 }),
        ],
        { type: 'array', items: { $ref: '#/components/schemas/EmissionsForecast' } },
      ),
      '/locations': get('carbon-aware SDK: the served locations', [], { type: 'object' }, []),
      '/clock': {
        ...get('the simulated clock', [], { $ref: '#/components/schemas/Clock' }, []),
        post: {
          summary: 'move the simulated clock (the only way with --speed 0) or change its speed',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    now: iso('set the simulated now'),
                    advance: { oneOf: [{ type: 'number', minimum: 0, description: 'seconds' }, { type: 'string', description: 'a duration: 90s, 30m, 1h, 2d' }] },
                    speed: { type: 'number', minimum: 0 },
                  },
                },
              },
            },
          },
          responses: { '200': { description: 'the clock after the change', content: { 'application/json': { schema: { $ref: '#/components/schemas/Clock' } } } }, ...errors([400]) },
        },
      },
      '/openapi.json': get('this document', [], { type: 'object' }, []),
    },
    components: {
      schemas: {
        Error: {
          type: 'object',
          required: ['status', 'error', 'message'],
          properties: { status: { type: 'integer' }, error: str('a stable code, e.g. unknown_zone, bad_time'), message: str(), field: str('the parameter at fault') },
        },
        EmCarbonIntensity: {
          type: 'object',
          properties: {
            zone: str(),
            carbonIntensity: num(),
            datetime: iso('step start'),
            updatedAt: iso(''),
            createdAt: iso(''),
            emissionFactorType: { type: 'string', enum: ['direct', 'lifecycle'] },
            isEstimated: { type: 'boolean' },
            estimationMethod: { type: ['string', 'null'] },
          },
        },
        EmissionsData: {
          type: 'object',
          properties: { location: str(), time: iso('step start'), rating: num(), duration: str('TimeSpan, e.g. 01:00:00') },
        },
        EmissionsForecast: {
          type: 'object',
          properties: {
            generatedAt: iso('issue time'),
            requestedAt: iso('the simulated now'),
            location: str(),
            dataStartAt: iso(''),
            dataEndAt: iso(''),
            windowSize: num('minutes'),
            optimalDataPoints: { type: 'array', items: { $ref: '#/components/schemas/ForecastPoint' } },
            forecastData: { type: 'array', items: { $ref: '#/components/schemas/ForecastPoint' } },
          },
        },
        ForecastPoint: {
          type: 'object',
          properties: { location: str(), timestamp: iso(''), duration: num('minutes'), value: num() },
        },
        Clock: { type: 'object', properties: { now: iso('the simulated now'), speed: num('simulated seconds per real second') } },
      },
    },
  };
}

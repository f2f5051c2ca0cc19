import { ApiProblem } from '@sextant/platform/http';

export const wrongCredentials = () =>
  new ApiProblem(401, 'invalid_credentials', 'The email or the password is wrong.');
export const invalidRefreshToken = () =>
  new ApiProblem(401, 'invalid_refresh_token', 'The refresh token is not valid. Log in again.');
export const tooManyAttempts = (seconds: number) =>
  new ApiProblem(
    429,
    'too_many_attempts',
    `Too many failed attempts. Try again in ${seconds} seconds.`,
    undefined,
    { 'retry-after': String(seconds) },
  );
export const weakPassword = (message: string) =>
  ApiProblem.badRequest('The password is not acceptable.', [{ field: '/body/password', message }]);

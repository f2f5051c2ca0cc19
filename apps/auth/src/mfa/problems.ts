import { ApiProblem } from '@sextant/platform/http';

export const invalidMfaChallenge = () =>
  new ApiProblem(
    401,
    'invalid_mfa_challenge',
    'The MFA challenge is not valid or has expired. Log in again.',
  );
export const invalidMfaCode = () => new ApiProblem(401, 'invalid_mfa_code', 'The code is not valid.');
export const wrongEnrolmentCode = () =>
  ApiProblem.badRequest('The code does not match the authenticator being enrolled.', [
    { field: '/body/code', message: 'is not the current code of the new secret' },
  ]);
export const oneFactorNeeded = () =>
  ApiProblem.badRequest('Give either a code or a recovery code.', [
    { field: '/body', message: 'needs exactly one of code, recoveryCode' },
  ]);
export const usersOnly = () =>
  new ApiProblem(403, 'forbidden', 'Only a person (not an API key or a service) has MFA.');

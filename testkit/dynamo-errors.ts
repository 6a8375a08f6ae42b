/**
 * DynamoDB errors as @aws-sdk/client-dynamodb deserialises them, for fault injection: a modelled
 * exception (ConditionalCheckFailedException, ThrottlingException...) as an instance of its own
 * class, anything else (ValidationException, InternalFailure) as a DynamoDBServiceException that
 * carries the name, as the SDK's default error handler builds it.
 */
import * as dynamodb from '@aws-sdk/client-dynamodb';
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';

type ServiceExceptionClass = new (opts: {
  message: string;
  $metadata: Record<string, never>;
}) => DynamoDBServiceException;

export function dynamoError(
  name: string,
  message = name,
  fault: 'client' | 'server' = 'client',
): DynamoDBServiceException {
  const type = (dynamodb as Record<string, unknown>)[name];
  if (typeof type === 'function' && type.prototype instanceof DynamoDBServiceException) {
    return new (type as ServiceExceptionClass)({ message, $metadata: {} });
  }
  return new DynamoDBServiceException({ name, $fault: fault, message, $metadata: {} });
}

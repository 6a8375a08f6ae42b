/**
 * aws-cdk-lib's concrete classes against its own interfaces under `exactOptionalPropertyTypes`:
 * optional members are declared differently on the class and on the interface it implements
 * (EventBus/IEventBus, TableV2/ITableV2, HttpApi/IHttpApi: TS2375 "Consider adding 'undefined'
 * to the types of the target's properties"), so TypeScript refuses the class where the
 * interface is expected. The
 * objects ARE those interfaces (the classes `implements` them); the mismatch lives in the
 * library's declarations, not in our code. One typed function per interface, nothing generic.
 */
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';

/** An EventBus as the IEventBus it implements (library declaration mismatch, see above). */
export function busRef(bus: events.EventBus): events.IEventBus {
  return bus as unknown as events.IEventBus;
}

/** A TableV2 as the ITableV2 it implements (library declaration mismatch, see above). */
export function tableRef(table: dynamodb.TableV2): dynamodb.ITableV2 {
  return table as unknown as dynamodb.ITableV2;
}

/** An HttpApi as the IHttpApi it implements (library declaration mismatch, see above). */
export function httpApiRef(api: apigwv2.HttpApi): apigwv2.IHttpApi {
  return api as unknown as apigwv2.IHttpApi;
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authenticated } from '../../shared/routes.js';
import { IdParams, Message, problems, ref } from '../../shared/schemas.js';
import { AddressBookEntry, AddressBookParams, CreateAddressBody, MAX_ADDRESSES_PER_CUSTOMER, UpdateAddressBody } from './addresses.schemas.js';
import * as service from './addresses.service.js';

const tags = ['addresses'];
const ownership = 'A customer may name only itself (403); an admin any live customer (404 for an unknown one).';
const unknownAddress = 'An address of another customer, or an unknown one, is 404.';

const addressBookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/customers/:id/addresses',
    {
      schema: {
        tags,
        operationId: 'listAddresses',
        summary: "A customer's address book, oldest first",
        description: `Every saved address; at most one has is_default true. ${ownership}`,
        params: IdParams,
        response: { 200: Type.Array(ref(AddressBookEntry)), ...problems(403, 404) },
      },
    },
    async (request) => service.listAddresses(app.db, request.actor, request.params.id),
  );

  app.post(
    '/customers/:id/addresses',
    {
      schema: {
        tags,
        operationId: 'createAddress',
        summary: 'Save an address in a customer\'s address book',
        description:
          `With is_default true it becomes the default and the one that was stops being it. ` +
          `A customer keeps at most ${MAX_ADDRESSES_PER_CUSTOMER} addresses (409 ADDRESS_LIMIT). ${ownership}`,
        params: IdParams,
        body: ref(CreateAddressBody),
        response: { 201: ref(AddressBookEntry), ...problems(403, 404, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.addAddress(app.db, request.actor, request.params.id, request.body)),
  );

  app.put(
    '/customers/:id/addresses/:address_id',
    {
      schema: {
        tags,
        operationId: 'updateAddress',
        summary: 'Change a saved address (any subset of fields)',
        description:
          'An empty string clears an optional text field, null clears region_code; an empty object changes nothing. ' +
          `is_default true makes it the default (the one that was stops being it), false makes it not. ${unknownAddress} ${ownership}`,
        params: AddressBookParams,
        body: ref(UpdateAddressBody),
        response: { 200: ref(AddressBookEntry), ...problems(403, 404) },
      },
    },
    async (request) =>
      service.updateAddress(app.db, request.actor, request.params.id, request.params.address_id, request.body),
  );

  app.delete(
    '/customers/:id/addresses/:address_id',
    {
      schema: {
        tags,
        operationId: 'deleteAddress',
        summary: 'Delete a saved address',
        description: `Deleting the default leaves the customer without one. Placed orders keep their own copy. ${unknownAddress} ${ownership}`,
        params: AddressBookParams,
        response: { 200: ref(Message), ...problems(403, 404) },
      },
    },
    async (request) => {
      await service.removeAddress(app.db, request.actor, request.params.id, request.params.address_id);
      return { message: 'Address deleted.' };
    },
  );
};

export const addressesRoutes = authenticated(addressBookRoutes);

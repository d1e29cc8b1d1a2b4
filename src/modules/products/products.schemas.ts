import { type Static, Type } from '@sinclair/typebox';
import { Id, Money, MoneyOut, PageQuery, StringEnum, Text, Timestamp, named, ref } from '../../shared/schemas.js';

const Description = Type.Union([Type.String({ maxLength: 5000 }), Type.Null()]);
const Stock = Type.Union([Type.Integer({ minimum: 0, maximum: 1_000_000_000 }), Type.Null()], {
  description: 'Units in stock; null means not stock-tracked (never runs out)',
});

const productFields = {
  product_name: Text(200),
  price: Money,
  description: Type.Optional(Description),
  stock: Type.Optional(Stock),
};

const RequiresShipping = Type.Boolean({
  description: 'false for what is not shipped (a download, a gift card): an order of only such products needs no shipping address or rate',
});

export const CreateProductBody = named(
  'CreateProductBody',
  Type.Object(
    // The default is said in words: a `default` keyword makes generated clients require the field.
    { ...productFields, requires_shipping: Type.Optional({ ...RequiresShipping, description: `${RequiresShipping.description}. Default true` }) },
    {
      additionalProperties: false,
      examples: [{ product_name: 'Mug', price: 12.5, description: 'Stoneware, 350 ml', stock: 10, requires_shipping: true }],
    },
  ),
);
export type CreateProductBody = Static<typeof CreateProductBody>;

export const UpdateProductBody = named(
  'UpdateProductBody',
  Type.Partial(Type.Object({ ...productFields, requires_shipping: RequiresShipping }), {
    additionalProperties: false,
    examples: [{ price: 17.5, stock: 25 }],
  }),
);
export type UpdateProductBody = Static<typeof UpdateProductBody>;

export const ProductResponse = named(
  'Product',
  Type.Object(
    {
      id: Id,
      product_name: Type.String(),
      price: MoneyOut,
      description: Type.Union([Type.String(), Type.Null()]),
      stock: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'null: not stock-tracked' }),
      requires_shipping: Type.Boolean({ description: 'false: not shipped (a download, a gift card)' }),
      created_at: Timestamp,
      updated_at: Timestamp,
    },
    {
      examples: [
        {
          id: 1,
          product_name: 'Mug',
          price: 12.5,
          description: 'Stoneware, 350 ml',
          stock: 10,
          requires_shipping: true,
          created_at: '2026-11-25T10:00:00.000Z',
          updated_at: '2026-11-25T10:00:00.000Z',
        },
      ],
    },
  ),
);
export type ProductResponse = Static<typeof ProductResponse>;

export const PRODUCT_SORTS = ['id', 'price', '-price', 'product_name', '-created_at'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

const productFilters = {
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Part of the name, any case' })),
  min_price: Type.Optional(Money),
  max_price: Type.Optional(Money),
  sort: Type.Optional(StringEnum(PRODUCT_SORTS, { default: 'id', description: 'Order of the listing; id breaks ties' })),
};

export const ListProductsQuery = Type.Object(productFilters);
export type ListProductsQuery = Static<typeof ListProductsQuery>;

export const PageProductsQuery = Type.Object({
  ...productFilters,
  ...PageQuery,
  after: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 2000, // a name of 200 characters, escaped and encoded
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'The `next` of the previous page: the page after it, as fast however deep (then `page` is ignored)',
    }),
  ),
});
export type PageProductsQuery = Static<typeof PageProductsQuery>;

export const ProductPage = named(
  'ProductPage',
  Type.Object({
    items: Type.Array(ref(ProductResponse)),
    page: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'null when the page was asked for with `after`' }),
    per_page: Type.Integer({ minimum: 1 }),
    total: Type.Integer({ minimum: 0, description: 'Matching items on all pages' }),
    pages: Type.Integer({ minimum: 0, description: 'Number of pages' }),
    next: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `after` for the next page; null on the last page' }),
  }),
);
export type ProductPage = Static<typeof ProductPage>;

export const productSchemas = [ProductResponse, ProductPage, CreateProductBody, UpdateProductBody];

// safestub/protobuf-es's MessageInit<T> is written out over the message type (cheaper for the type
// checker, see runtime/protobuf-es/index.ts); this holds it to the very type protobuf-es's own
// MessageInitShape<typeof TSchema> is, for every kind of field (protos/testing/fields.proto) and the
// messages the other tests send. `Same` is the checker's identity, stricter than assignability both
// ways: an optional field, a readonly or a wider member makes it false. Compiled, never run.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { GenMessage } from "@bufbuild/protobuf/codegenv2";
import { AnySchema, DurationSchema, StructSchema, TimestampSchema, ValueSchema } from "@bufbuild/protobuf/wkt";
import type { MessageInit } from "safestub/protobuf-es";
import { Everything_InnerSchema, EverythingSchema, LeafSchema, type Everything, type Leaf } from "../../../gen/protobuf-es/testing/fields_pb.js";
import { ItemSchema, Item_LabelSchema } from "../../../gen/protobuf-es/testing/reflection/types_pb.js";
import { FeatureSchema, PointSchema, RectangleSchema, RouteNoteSchema, RouteSummarySchema } from "../../../gen/protobuf-es/route_guide_pb.js";
import { MsgSchema } from "../../../gen/protobuf-es/testing/probe_pb.js";
import { SimpleRequestSchema, StreamingOutputCallRequestSchema } from "../../../gen/protobuf-es/grpc/testing/messages_pb.js";

type Same<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
type SameInit<S> = S extends GenMessage<infer T> ? Same<MessageInit<T>, MessageInitShape<S>> : false;

function same<S>(_schema: S, ok: SameInit<S>): void {
  void ok;
}

same(EverythingSchema, true);
same(Everything_InnerSchema, true);
same(LeafSchema, true);
same(ItemSchema, true);
same(Item_LabelSchema, true);
same(FeatureSchema, true);
same(PointSchema, true);
same(RectangleSchema, true);
same(RouteNoteSchema, true);
same(RouteSummarySchema, true);
same(MsgSchema, true);
same(SimpleRequestSchema, true);
same(StreamingOutputCallRequestSchema, true);
same(TimestampSchema, true);
same(DurationSchema, true);
same(StructSchema, true);
same(ValueSchema, true);
same(AnySchema, true);

// The check can fail: another message's init, or fields optional but not as inits, are not the same type.
type Shallow<T> = T | { [P in keyof T]?: T[P] };
const otherMessage: Same<MessageInit<Leaf>, MessageInitShape<typeof EverythingSchema>> = false;
const shallow: Same<Shallow<Everything>, MessageInitShape<typeof EverythingSchema>> = false;
void otherMessage;
void shallow;
// @ts-expect-error the check is true for a message, so false does not compile
same(EverythingSchema, false);

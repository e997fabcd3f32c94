import Handlebars from "handlebars";
import { templates } from "./templates.gen.js";

const hb = Handlebars.create();

const service = hb.template(templates.service as TemplateSpecification);

type TemplateSpecification = Parameters<typeof hb.template>[0];

/** Renders the service template over a file's view model. */
export function renderServices(view: object): string {
  return service(view).replace(/\n+$/, "");
}

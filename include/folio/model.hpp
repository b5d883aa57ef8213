// model.hpp: everything a model needs, in one include: its metadata
// (model_meta.hpp), the registry that declares models and finds reverse
// relations (model_registry.hpp), and the instances (object.hpp).
#pragma once

#include "folio/model_meta.hpp"
#include "folio/model_registry.hpp"
#include "folio/object.hpp"

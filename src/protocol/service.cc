#include "protocol/service.h"

#include <stdexcept>

namespace runnel::protocol {

OperationTable::OperationTable(const ServiceModel& model) : model_(&model), handlers_(model.operations.size()) {}

OperationTable& OperationTable::on(std::string_view op_name, OperationHandler handler) {
  const OperationModel* op = model_->find_operation(op_name);
  if (!op)
    throw std::logic_error("operation " + std::string(op_name) + " is not in the " + std::string(model_->service) +
                           " model");
  OperationHandler& slot = handlers_[model_->operation_index(*op)];
  if (slot) throw std::logic_error("operation " + std::string(op_name) + " registered twice");
  slot = std::move(handler);
  return *this;
}

OperationTable& OperationTable::otherwise(OperationHandler handler) {
  for (OperationHandler& slot : handlers_)
    if (!slot) slot = handler;
  return *this;
}

const OperationHandler* OperationTable::find(const OperationModel& op) const {
  size_t i = model_->operation_index(op);
  if (i >= handlers_.size() || !handlers_[i]) return nullptr;
  return &handlers_[i];
}

std::vector<std::string_view> OperationTable::unhandled() const {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < handlers_.size(); ++i)
    if (!handlers_[i]) out.push_back(model_->operations[i].name);
  return out;
}

}  // namespace runnel::protocol

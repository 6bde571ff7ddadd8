// Checks a trainer module before any training, with nnU-Net itself, in four stages:
//   compile    Python compiles the file (a SyntaxError names its line and column);
//   find       nnU-Net finds the class by name the way training and prediction will
//              (v2 recursive_find_trainer_class_by_name through nnUNet_extTrainer; v1
//              default_configuration's search of its network_training package);
//   construct  nnU-Net constructs it on the dataset's current plans, as nnUNetv2_train /
//              nnUNet_train would (v2 get_trainer_from_args on the CPU; v1 with run_training's arguments);
//   iteration  one training iteration on a small batch (v2: batch size at most 2) with the loss.
// Each stage prints one line "NNUNET_WIZARD_CHECK {json}"; an error names the line of the trainer
// file where it happened (the innermost frame in that file). The stages that need a dataset are
// skipped when none is given. nnU-Net's results folder is redirected to a scratch folder, so a
// check never leaves a fold folder that would look like a trained model.
export const CHECK_PROGRAM = String.raw`
import json, os, sys, traceback

version, path, name, dataset, configuration, fold, plans = sys.argv[1:8]
path = os.path.abspath(path)

def report(stage, ok, **kw):
    print("NNUNET_WIZARD_CHECK " + json.dumps(dict(stage=stage, ok=ok, **kw)), flush=True)

def line_in_file(exc):
    line = None
    if isinstance(exc, SyntaxError) and exc.filename and os.path.abspath(exc.filename) == path:
        return exc.lineno
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if os.path.abspath(frame.f_code.co_filename) == path:
            line = lineno
    return line

def fail(stage, exc):
    text = exc.msg if isinstance(exc, SyntaxError) else str(exc)  # str() of a SyntaxError repeats file and line
    info = dict(message=(type(exc).__name__ + ": " + text).strip(), traceback="".join(traceback.format_exception(exc)))
    line = line_in_file(exc)
    if line:
        info["line"] = line
    if isinstance(exc, SyntaxError) and exc.offset:
        info["column"] = exc.offset
    report(stage, False, **info)
    sys.stdout.flush()
    os._exit(1)

try:
    compile(open(path, encoding="utf-8").read(), path, "exec")
except SyntaxError as e:
    fail("compile", e)
except Exception as e:
    fail("compile", e)
report("compile", True)
if dataset == "compile":
    os._exit(0)

def same_file(cls):
    # The file of the class's own functions: nnU-Net v2 drops the module from sys.modules after
    # its search, so inspect.getfile cannot tell.
    files = [os.path.abspath(f.__code__.co_filename) for f in vars(cls).values() if hasattr(f, "__code__")]
    found = files[0] if files else path
    if found != path:
        raise RuntimeError("nnU-Net found another class named " + name + " first, in " + found + ": rename this trainer")

if version == "v2":
    import torch
    try:
        from nnunetv2.utilities.find_objects import recursive_find_trainer_class_by_name
        same_file(recursive_find_trainer_class_by_name(name))
    except BaseException as e:
        fail("find", e)
    report("find", True)
    if dataset == "-":
        os._exit(0)
    try:
        from nnunetv2.run.run_training import get_trainer_from_args
        tr = get_trainer_from_args(dataset, configuration, fold if fold == "all" else int(fold), name, plans, device=torch.device("cpu"))
    except BaseException as e:
        fail("construct", e)
    report("construct", True, epochs=int(tr.num_epochs), iterations=int(tr.num_iterations_per_epoch))
    try:
        tr.initialize()
        tr.batch_size = min(2, tr.batch_size)
        tr.on_train_start()
        tr.on_epoch_start()
        tr.on_train_epoch_start()
        out = tr.train_step(next(tr.dataloader_train))
        loss = float(out["loss"])
    except BaseException as e:
        fail("iteration", e)
    report("iteration", True, loss=loss, batchSize=int(tr.batch_size), lossClass=type(tr.loss).__name__)
    for dl in (getattr(tr, "dataloader_train", None), getattr(tr, "dataloader_val", None)):
        if hasattr(dl, "_finish"):
            dl._finish()
    os._exit(0)

# nnU-Net v1
try:
    from nnunet.run.default_configuration import get_default_configuration
    from nnunet.utilities.task_name_id_conversion import convert_id_to_task_name
    from nnunet.training.network_training.nnUNetTrainer import nnUNetTrainer
    if dataset == "-":
        import nnunet
        from nnunet.training.model_restore import recursive_find_python_class
        cls = recursive_find_python_class([os.path.join(nnunet.__path__[0], "training", "network_training")], name, current_module="nnunet.training.network_training")
        if cls is None:
            raise RuntimeError("nnU-Net v1 did not find " + name + " in nnunet/training/network_training")
        same_file(cls)
        report("find", True)
        os._exit(0)
    task = dataset if dataset.startswith("Task") else convert_id_to_task_name(int(dataset))
    plans_file, output_folder, dataset_directory, batch_dice, stage, cls = get_default_configuration(configuration, task, name, plans)
    if cls is None:
        raise RuntimeError("nnU-Net v1 did not find " + name + " in nnunet/training/network_training")
    same_file(cls)
    if not issubclass(cls, nnUNetTrainer):
        raise RuntimeError(name + " is not derived from nnUNetTrainer")
except BaseException as e:
    fail("find", e)
report("find", True)
try:
    tr = cls(plans_file, fold if fold == "all" else int(fold), output_folder=output_folder, dataset_directory=dataset_directory,
             batch_dice=batch_dice, stage=stage, unpack_data=True, deterministic=False, fp16=True)
except BaseException as e:
    fail("construct", e)
report("construct", True, epochs=int(tr.max_num_epochs), iterations=int(tr.num_batches_per_epoch))
try:
    tr.initialize(True)
    tr._maybe_init_amp()  # as run_training does first: fp16's grad scaler
    tr.network.train()
    loss = float(tr.run_iteration(tr.tr_gen, True))
except BaseException as e:
    fail("iteration", e)
report("iteration", True, loss=loss, batchSize=int(tr.batch_size), lossClass=type(getattr(tr.loss, "loss", tr.loss)).__name__)
for dl in (getattr(tr, "tr_gen", None), getattr(tr, "val_gen", None)):
    if hasattr(dl, "_finish"):
        dl._finish()
os._exit(0)
`

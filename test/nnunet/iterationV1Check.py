# Run by test/nnunet/iterationV1.test.ts in the nnU-Net v1 venv: the generated v1 trainer and the
# wrapper for nnU-Net v1's own trainers (electron/nnunet/trainerParts.ts) say each training iteration.
# argv: the folder of the generated module, its class name, the wrapper program's file.
# Only the batch itself is stood in (nnUNetTrainerV2.run_iteration needs a network and data): that
# the installed NetworkTrainer.run_training calls run_iteration(self.tr_gen, True) per training
# batch and run_iteration(self.val_gen, False, ...) per validation batch is read from its source.
import contextlib, importlib, inspect, io, json, runpy, sys
folder, name, wrapper = sys.argv[1], sys.argv[2], sys.argv[3]
out = {}
from nnunet.training.network_training.network_trainer import NetworkTrainer
src = inspect.getsource(NetworkTrainer.run_training)
out['hook'] = ['self.run_iteration(self.tr_gen, True)' in src, 'self.run_iteration(self.val_gen, False' in src]
sys.path.insert(0, folder)
mod = importlib.import_module(name)
cls = getattr(mod, name)
from nnunet.training.network_training.nnUNetTrainerV2 import nnUNetTrainerV2
out['subclass'] = issubclass(cls, nnUNetTrainerV2)
calls = []
nnUNetTrainerV2.run_iteration = lambda self, gen, do_backprop=True, run_online_evaluation=False: calls.append((gen, do_backprop, run_online_evaluation)) or 0.25
t = cls.__new__(cls)
t.epoch, t.num_batches_per_epoch = 0, 3
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    for e in range(2):
        t.epoch = e
        losses = [t.run_iteration('tr', True) for _ in range(3)]
        t.run_iteration('val', False, True)
out['generated'] = {'lines': buf.getvalue().splitlines(), 'losses': losses, 'calls': len(calls), 'val': calls[-1]}
# The wrapper around nnU-Net's own trainers: NetworkTrainer.run_training's loop, stood in by a fake
# that calls run_iteration exactly as the installed one does (checked above).
def loop(self):
    for e in range(2):
        self.epoch = e
        for _ in range(self.num_batches_per_epoch):
            self.run_iteration('tr', True)
        self.run_iteration('val', False, True)
    return 'ran'
NetworkTrainer.run_training = loop
exec(compile(open(wrapper).read(), 'wrapper', 'exec'), {'__name__': 'wizard_wrapper'})
class Own(nnUNetTrainerV2):
    pass
o = Own.__new__(Own)
o.num_batches_per_epoch = 2
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    r = NetworkTrainer.run_training(o)
out['wrapped'] = {'lines': buf.getvalue().splitlines(), 'result': r}
# The wrapped trainer is freed when the last name of it goes, without the cycle collector: a
# reference cycle kept it (and its data-augmentation workers) alive until interpreter exit, where
# nnUNet_train hung reading from its dead workers.
import gc, weakref
gc.disable()
alive = weakref.ref(o)
del o
out['wrappedFreed'] = alive() is None
gc.enable()
# A generated trainer is not counted twice under the wrapper.
g = cls.__new__(cls)
g.num_batches_per_epoch = 1
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    NetworkTrainer.run_training(g)
out['generatedUnderWrapper'] = buf.getvalue().splitlines()
print('RESULT ' + json.dumps(out))

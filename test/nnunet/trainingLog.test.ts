// Log parsing on real excerpts: v2 lines as nnunetv2 2.8.1 printed them in a CPU run of the
// integration dataset (numpy 2 reprs in the Dice list), v2 lines as printed under numpy 1, and
// v1 lines as nnunet 1.7.1's network_trainer.py / nnUNetTrainer.py / nnUNetTrainerV2.py format them.
import { describe, expect, it } from 'vitest'
import { TrainingLogParser, cleanLogLine, epochsFromTrainerName, parseTrainingLog } from '../../shared/trainingLog'

const V2_NUMPY2 = `
2026-11-27 00:46:32.231121: Unable to plot network architecture:
2026-11-27 00:46:32.248816: 
2026-11-27 00:46:32.249472: Epoch 0
2026-11-27 00:46:32.250230: Current learning rate: 0.01
2026-11-27 00:46:59.435123: train_loss 1.4102
2026-11-27 00:46:59.435346: val_loss 1.3014
2026-11-27 00:46:59.435395: Pseudo dice [np.float32(0.1563), np.float32(0.0193)]
2026-11-27 00:46:59.435452: Epoch time: 27.19 s
2026-11-27 00:46:59.435498: Yayy! New best EMA pseudo Dice: 0.08780000358819962
2026-11-27 00:46:59.964235: 
2026-11-27 00:46:59.964386: Epoch 1
2026-11-27 00:46:59.964553: Current learning rate: 0.00536
2026-11-27 00:47:15.979253: train_loss 1.2926
2026-11-27 00:47:15.979581: val_loss 1.1792
2026-11-27 00:47:15.979638: Pseudo dice [np.float32(0.1724), np.float32(0.0241)]
2026-11-27 00:47:15.979694: Epoch time: 16.02 s
2026-11-27 00:47:15.979726: Yayy! New best EMA pseudo Dice: 0.08879999816417694
2026-11-27 00:47:16.721828: Training done.
`

const V2_NUMPY1 = `
2024-03-02 10:11:12.000001: Epoch 41
2024-03-02 10:11:12.000101: Current learning rate: 0.00963
2024-03-02 10:13:01.120000: train_loss -0.7512
2024-03-02 10:13:01.120100: val_loss -0.7034
2024-03-02 10:13:01.120200: Pseudo dice [0.9512, 0.7203, nan]
2024-03-02 10:13:01.120300: Epoch time: 109.12 s
`

// print_to_log_file("\\nepoch: ", self.epoch) puts the epoch on its own line, after a timestamp line.
const V1 = `
2021-08-10 09:00:00.000001: 
epoch:  7
2021-08-10 09:02:10.000001: train loss : -0.6123
2021-08-10 09:02:20.000001: validation loss: -0.6501
2021-08-10 09:02:20.000002: Average global foreground Dice: [0.9012, 0.6144]
2021-08-10 09:02:20.000003: (interpret this as an estimate for the Dice of the different classes. This is not exact.)
2021-08-10 09:02:21.000001: lr: 0.009937
2021-08-10 09:02:21.000002: This epoch took 141.234567 s

2021-08-10 09:02:21.000003: 
epoch:  8
2021-08-10 09:04:30.000001: train loss : -0.6301
2021-08-10 09:04:40.000001: validation loss: -0.6588
2021-08-10 09:04:40.000002: Average global foreground Dice: [np.float64(0.9101), np.float64(0.6290)]
`

describe('training log parser', () => {
  it('reads v2 epochs (numpy 2 reprs) with lr, losses, pseudo Dice per class and epoch time', () => {
    const epochs = parseTrainingLog(V2_NUMPY2, { totalEpochs: 2 })
    expect(epochs).toEqual([
      { epoch: 0, totalEpochs: 2, learningRate: 0.01, trainLoss: 1.4102, valLoss: 1.3014, dice: [0.1563, 0.0193], epochSeconds: 27.19 },
      { epoch: 1, totalEpochs: 2, learningRate: 0.00536, trainLoss: 1.2926, valLoss: 1.1792, dice: [0.1724, 0.0241], epochSeconds: 16.02 },
    ])
  })

  it('reads v2 lines printed under numpy 1, nan included', () => {
    const [e] = parseTrainingLog(V2_NUMPY1)
    expect(e).toMatchObject({ epoch: 41, learningRate: 0.00963, trainLoss: -0.7512, valLoss: -0.7034, epochSeconds: 109.12 })
    expect(e!.dice![0]).toBe(0.9512)
    expect(Number.isNaN(e!.dice![2])).toBe(true)
  })

  it('reads v1 epochs: "epoch:  N", train loss, validation loss, global foreground Dice, lr, epoch time', () => {
    const epochs = parseTrainingLog(V1, { totalEpochs: 1000 })
    expect(epochs[0]).toEqual({ epoch: 7, totalEpochs: 1000, trainLoss: -0.6123, valLoss: -0.6501, dice: [0.9012, 0.6144], learningRate: 0.009937, epochSeconds: 141.234567 })
    expect(epochs[1]).toEqual({ epoch: 8, totalEpochs: 1000, trainLoss: -0.6301, valLoss: -0.6588, dice: [0.9101, 0.629] })
  })

  it('reports each change of the current epoch and keeps the best EMA Dice', () => {
    const p = new TrainingLogParser({ totalEpochs: 2 })
    const updates = V2_NUMPY2.split('\n').map((l) => p.push(l)).filter(Boolean)
    // Epoch 0 and 1: the epoch line plus lr, train, val, dice, time = 6 updates each.
    expect(updates).toHaveLength(12)
    expect(p.bestEmaDice).toBeCloseTo(0.0888, 4)
    expect(p.finished()).toHaveLength(2)
    expect(p.etaSeconds()).toBe(0)
  })

  it('estimates the time left from the recent epochs', () => {
    const p = new TrainingLogParser({ totalEpochs: 10 })
    for (const l of ['Epoch 0', 'Epoch time: 10 s', 'Epoch 1', 'Epoch time: 20 s']) p.push(l)
    // mean 15 s, 8 epochs to go
    expect(p.etaSeconds()).toBe(120)
    expect(new TrainingLogParser().etaSeconds()).toBeUndefined()
  })

  it('ignores values before the first epoch, ANSI colours and unrelated lines', () => {
    const p = new TrainingLogParser()
    expect(p.push('2024-01-01 00:00:00.000000: train_loss 0.5')).toBeNull()
    expect(p.push('\x1b[32m2024-01-01 00:00:00.000000: Epoch 3\x1b[0m')).toEqual({ epoch: 3 })
    expect(p.push('Epoch 3 of something else')).toBeNull()
    expect(p.push('This split has 4 training and 1 validation cases.')).toBeNull()
    expect(cleanLogLine('\x1b[1m2024-01-01 00:00:00.123: val_loss 0.1\x1b[0m')).toBe('val_loss 0.1')
  })

  it('reads the epoch count from trainer names', () => {
    expect(epochsFromTrainerName('nnUNetTrainer_5epochs')).toBe(5)
    expect(epochsFromTrainerName('nnUNetTrainer_1epoch')).toBe(1)
    expect(epochsFromTrainerName('nnUNetTrainerV2_2epochs')).toBe(2)
    expect(epochsFromTrainerName('nnUNetTrainer_Wizard_20ep_5it')).toBe(20)
    expect(epochsFromTrainerName('nnUNetTrainer')).toBeUndefined()
    expect(epochsFromTrainerName('nnUNetTrainerV2')).toBeUndefined()
  })
})
